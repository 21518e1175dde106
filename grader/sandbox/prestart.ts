/**
 * The CLI's head start for `grade` (and the walkthrough's, bin/ex4.js: prestartSandbox):
 * bin/backprop-grader.js calls prestartGrade first thing, before
 * it loads the CLI and the engine (~100 ms of module loading and case building on the 2-core
 * development machine), so the sandbox child starts meanwhile: a spare (spare.ts) on the runtime
 * prebuilt at install, under the walls `--isolation` asks for and the default limits.
 *
 * Only a head start, never a decision: the arguments are merely glanced at here (the CLI parses
 * them properly), and openSandbox adopts the child only if it would have started the same one
 * (a config file with other limits, say, leaves it unused). An unused spare is killed and its
 * folder removed when the grader exits.
 */
import { planIsolation } from './isolation';
import { resolveLimits } from './limits';
import { DEFAULT_LIMITS, type IsolationPolicy } from './protocol';
import { prebuiltRuntimeForProcess } from './runtime';
import { startSpare } from './spare';

const POLICIES: readonly string[] = ['auto', 'strict', 'permission-model'] satisfies IsolationPolicy[];

/** The `--isolation` value of a grade's arguments (the last one given, as yargs reads it), else 'auto'. */
export function isolationHint(argv: readonly string[]): IsolationPolicy {
  let policy: IsolationPolicy = 'auto';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = arg === '--isolation' ? argv[i + 1] : arg.startsWith('--isolation=') ? arg.slice('--isolation='.length) : undefined;
    if (value !== undefined && POLICIES.includes(value)) policy = value as IsolationPolicy;
  }
  return policy;
}

/**
 * Starts the sandbox child of a `grade` about to run with `argv` (what follows `grade`), when the
 * prebuilt runtime is current; otherwise does nothing. Never throws.
 */
export function prestartGrade(argv: readonly string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) return;
  prestartSandbox(isolationHint(argv));
}

/**
 * Starts a sandbox child for the default limits under `policy` (the walkthrough's, or a grade's),
 * when the prebuilt runtime is current; otherwise does nothing. Never throws.
 */
export function prestartSandbox(policy: IsolationPolicy): void {
  try {
    const runtime = prebuiltRuntimeForProcess();
    if (!runtime) return;
    startSpare({ plan: planIsolation(policy), runtime, limits: resolveLimits(DEFAULT_LIMITS) });
  } catch {
    // e.g. `--isolation strict` without namespaces: the grade itself reports it
  }
}
