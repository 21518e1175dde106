/** Number formatting for student-facing messages, and the '%0.5f ' rendering of submit.m. */

/** A readable number: up to 7 significant digits, exponent form only for very small or large values. */
export function fmtNum(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e7) return String(Number(x.toPrecision(7)));
  return x.toExponential(6).replace(/\.?0+e/, 'e');
}

/** An error size: two significant digits in exponent form (1.2e-3). */
export function fmtErr(x: number): string {
  if (!Number.isFinite(x)) return fmtNum(x);
  if (x === 0) return '0';
  return x.toExponential(1);
}

/**
 * One value as Octave's sprintf('%0.5f', x) prints it: fixed, 5 decimals; NaN, Inf, -Inf; negative
 * zero and tiny negatives keep their sign, like C's printf.
 */
export function octaveFixed5(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Inf';
  if (x === -Infinity) return '-Inf';
  if (Object.is(x, -0)) return '-0.00000';
  return x.toFixed(5);
}

/** submit.m's view of an output: sprintf('%0.5f ', x) over the values (column-major), as tokens. */
export function octaveTokens(values: readonly number[]): string[] {
  return values.map(octaveFixed5);
}

/** "a 3×10 matrix", "5×1". */
export function shape(r: number, c: number): string {
  return `${r}×${c}`;
}
