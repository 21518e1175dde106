/**
 * The values of a matrix as the kernels see them: a `Snapshot` never changes once made. It holds
 * the values (a row-major Float64Array), or how to compute them (a `Recipe` over other
 * snapshots), or both.
 *
 * Why: a helper's result must never change when something else changes, yet copying is most of
 * the cost of the large operations. With immutable snapshots,
 *  - `[ones(m,1) X]` and `A'` are recipes over X and A, computed only if someone reads them
 *    (the products use X's non-zeros and A directly);
 *  - the WebAssembly kernels keep their copies by snapshot (wasm.ts) and need no version checks;
 *  - a result computed in the WebAssembly memory is copied out only when read: if the memory
 *    has been reused by then, it is computed again from its recipe, which gives the same bits.
 * The matrices students hold (FlatMatrix) point at a snapshot and copy it before their first
 * write (flatMatrix.ts), so a snapshot is never changed while anything else uses it.
 */
import type { BinaryOp, UnaryOp } from './types';

/** How a snapshot's values follow from other snapshots (the helper that made it). */
export type Recipe =
  | { readonly kind: 'bias'; readonly src: Snapshot }
  | { readonly kind: 'transpose'; readonly src: Snapshot }
  | { readonly kind: 'mtimes'; readonly a: Snapshot; readonly b: Snapshot }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly a: Snapshot; readonly b: Snapshot }
  | { readonly kind: 'scalar'; readonly op: BinaryOp; readonly a: Snapshot; readonly s: number; readonly scalarFirst: boolean }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly a: Snapshot };

/**
 * Recipes chain at most this deep: a deeper result's values are stored at once, which bounds
 * both what a result keeps alive and the work of computing it again.
 */
export const MAX_RECIPE_DEPTH = 24;

/** Computes a snapshot's values from its recipe (set by kernels/index.ts). */
type Evaluator = (s: Snapshot) => Float64Array;
let evaluator: Evaluator | undefined;

/** Installs the function that computes values from recipes (kernels/index.ts does, on import). */
export function setEvaluator(fn: Evaluator): void {
  evaluator = fn;
}

export class Snapshot {
  readonly rows: number;
  readonly columns: number;
  #values: Float64Array | undefined;
  #recipe: Recipe | undefined;
  #depth: number;
  /** Unary results of these values, by operation (sigmoid(z2) twice is computed once). */
  unaryResults: Map<UnaryOp, Snapshot> | undefined;

  private constructor(rows: number, columns: number, values: Float64Array | undefined, recipe: Recipe | undefined, depth: number) {
    this.rows = rows;
    this.columns = columns;
    this.#values = values;
    this.#recipe = recipe;
    this.#depth = depth;
  }

  /** Stored values (row-major, length rows·columns; taken, not copied, and never written again by anyone but an exclusive owner). */
  static stored(rows: number, columns: number, values: Float64Array): Snapshot {
    return new Snapshot(rows, columns, values, undefined, 0);
  }

  /** Values to compute from `recipe` when needed. */
  static computed(rows: number, columns: number, recipe: Recipe): Snapshot {
    return new Snapshot(rows, columns, undefined, recipe, 1 + Math.max(...operandsOf(recipe).map((s) => s.depth)));
  }

  /** The values, if stored (read-only). */
  get values(): Float64Array | undefined {
    return this.#values;
  }

  /** The recipe, while the values are not stored. */
  get recipe(): Recipe | undefined {
    return this.#recipe;
  }

  /** Length of the longest chain of recipes to stored values (0 when stored). */
  get depth(): number {
    return this.#values ? 0 : this.#depth;
  }

  /** Stores the computed values and forgets the recipe (and so the operands it kept alive). */
  store(values: Float64Array): void {
    this.#values = values;
    this.#recipe = undefined;
  }
}

/** The snapshots a recipe reads. */
export function operandsOf(recipe: Recipe): Snapshot[] {
  switch (recipe.kind) {
    case 'bias':
    case 'transpose':
      return [recipe.src];
    case 'mtimes':
    case 'binary':
      return [recipe.a, recipe.b];
    case 'scalar':
    case 'unary':
      return [recipe.a];
  }
}

/** The values of `s` (read-only), computed and stored first if needed. */
export function valuesOf(s: Snapshot): Float64Array {
  const stored = s.values;
  if (stored) return stored;
  if (!evaluator) throw new Error('kernels: no evaluator installed (import exercises/lib/kernels)');
  const values = evaluator(s);
  s.store(values);
  return values;
}
