/**
 * The kernels' working memory inside the WebAssembly memory: a ring of blocks, allocated in turn
 * and reclaimed oldest first. A block is either scratch for one operation or the copy of a
 * matrix the kernels have seen (wasm.ts keeps those as a cache, so that `a1` of nnCostFunction
 * is copied in once for its two products). The JS Float64Array of every matrix stays the truth:
 * dropping a block loses nothing.
 *
 * Blocks in use by an operation are pinned: allocation steps over them, so an operation never
 * loses its own operands. The ring grows (memory.grow) up to a limit instead of failing; past the
 * limit an allocation fails and the caller falls back to the JS kernels.
 */

/** A region of the memory: [offset, offset + bytes). */
export interface Block {
  readonly offset: number;
  bytes: number;
  /** False once the ring has reused the region. */
  live: boolean;
  /** Operations using it right now; a pinned block is never reused. */
  pins: number;
}

/** Room after every block: the row kernels read up to 12 values past the end of an operand. */
const PAD = 128;

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

export class Arena {
  readonly #start: number;
  #end: number;
  #head: number;
  /** Live blocks, in increasing offset. */
  #blocks: Block[] = [];

  constructor(start: number, end: number) {
    this.#start = start;
    this.#end = end;
    this.#head = start;
  }

  /** Bytes the ring spans. */
  get size(): number {
    return this.#end - this.#start;
  }

  /** The ring now ends at `end` (the memory grew); every block stays where it is. */
  extendTo(end: number): void {
    this.#end = end;
  }

  /**
   * A new block of at least `bytes` bytes (plus padding), pinned once, or undefined when pinned
   * blocks leave no room for it. Reuses the oldest regions first.
   */
  alloc(bytes: number): Block | undefined {
    const size = roundUp(bytes + PAD, 64);
    if (size > this.size) return undefined;
    let at = this.#head;
    for (let attempt = 0; attempt <= this.#blocks.length + 1; attempt++) {
      if (at + size > this.#end) at = this.#start;
      const blocker = this.#blocks.find((b) => b.pins > 0 && b.offset < at + size && at < b.offset + b.bytes);
      if (blocker) {
        at = blocker.offset + blocker.bytes;
        continue;
      }
      const kept: Block[] = [];
      for (const b of this.#blocks) {
        if (b.offset < at + size && at < b.offset + b.bytes) b.live = false;
        else kept.push(b);
      }
      const block: Block = { offset: at, bytes: size, live: true, pins: 1 };
      const index = kept.findIndex((b) => b.offset > at);
      kept.splice(index < 0 ? kept.length : index, 0, block);
      this.#blocks = kept;
      this.#head = at + size;
      return block;
    }
    return undefined;
  }
}
