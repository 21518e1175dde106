/**
 * The kit's matrix helpers as the sandbox's runtime serves them to student code (runtime.ts builds
 * this module as the runtime's `lib/matrix`): the same exports as exercises/lib/matrix.ts, each
 * function wrapped with trace.ts's `traced`, which records the call (with the student's line) only
 * while a graded call is being traced and otherwise just calls through. The helpers' own bodies
 * are untouched (another module may implement them, e.g. with WebAssembly kernels).
 *
 * Every function the kit exports must be listed here; test/trace.test.ts checks it.
 */
import * as kit from '../../exercises/lib/matrix';
import { traced } from './trace';

export * from '../../exercises/lib/matrix';

export const zeros = traced('zeros', kit.zeros);
export const ones = traced('ones', kit.ones);
export const size = traced('size', kit.size);
export const addBiasColumn = traced('addBiasColumn', kit.addBiasColumn);
export const dropFirstColumn = traced('dropFirstColumn', kit.dropFirstColumn);
export const zeroFirstColumn = traced('zeroFirstColumn', kit.zeroFirstColumn);
export const mtimes = traced('mtimes', kit.mtimes);
export const transpose = traced('transpose', kit.transpose);
export const times = traced('times', kit.times);
export const plus = traced('plus', kit.plus);
export const minus = traced('minus', kit.minus);
export const rdivide = traced('rdivide', kit.rdivide);
export const power = traced('power', kit.power);
export const log = traced('log', kit.log);
export const exp = traced('exp', kit.exp);
export const sigmoid = traced('sigmoid', kit.sigmoid);
export const sum = traced('sum', kit.sum);
export const sumAll = traced('sumAll', kit.sumAll);
export const reshape = traced('reshape', kit.reshape);
export const unroll = traced('unroll', kit.unroll);
export const oneHot = traced('oneHot', kit.oneHot);
