/**
 * The sandbox: the only part of the grader that runs student code (see sandbox.ts for the tour).
 * Re-exports only.
 */
export type * from './protocol';
export { DEFAULT_LIMITS, DEFAULT_SANDBOX_OPTIONS } from './protocol';
export { openSandbox } from './sandbox';
export { IsolationUnavailableError, probeIsolation, type IsolationPlan } from './isolation';
export { permissionFlag } from './spawn-node';
export { DEFAULT_CAPS, MAX_SOURCE_BYTES, TEXT_CAPS, truncateText } from './limits';
export { evaluateKnownFunction, knownFunctionGradient, knownFunctionSize, KNOWN_FUNCTIONS, type KnownFunctionParams } from './functions';
export { checkCallOutcome, CALL_OUTCOME_SCHEMA } from './validate';
