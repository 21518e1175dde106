/**
 * The names of the kit's matrix helpers (the functions exercises/lib/matrix.ts exports), without
 * loading the kit: the grader uses them to recognise a helper a student forgot to import
 * ("ReferenceError: sumAll is not defined"). test/trace.test.ts keeps the list equal to the kit's.
 */
export const KIT_MATRIX_HELPERS = [
  'zeros',
  'ones',
  'size',
  'addBiasColumn',
  'dropFirstColumn',
  'zeroFirstColumn',
  'mtimes',
  'transpose',
  'times',
  'plus',
  'minus',
  'rdivide',
  'power',
  'log',
  'exp',
  'sigmoid',
  'sum',
  'sumAll',
  'reshape',
  'unroll',
  'oneHot',
] as const;

/** The kit helper a "X is not defined" error is about, if X is one. */
export function missingKitHelper(message: string): string | undefined {
  const m = /ReferenceError: (\w+) is not defined/.exec(message);
  return m && (KIT_MATRIX_HELPERS as readonly string[]).includes(m[1]) ? m[1] : undefined;
}
