/**
 * The kernels' working memory inside the WebAssembly memory: a ring of blocks, allocated in turn
 * and reclaimed oldest first. A block is either scratch for one operation or the copy of a
 * matrix the kernels have seen (wasm.ts keeps those as a cache, so that `a1` of nnCostFunction
 * is copied in once for its two products). The JS Float64Array of every matrix stays the truth:
 * dropping a block loses nothing.
 *
 * Blocks in use by an operation are pinned: allocation steps over them, so an operation never
 * loses its own operands. When pinned blocks leave no room, allocation fails and the caller
 * grows the memory (extendTo) or falls back to the JS kernels.
 *
 * The live blocks are kept in ring order starting at the allocation point, which is also oldest
 * first: an allocation evicts from the front and appends at the back, so its cost is the number
 * of blocks it evicts, not the number of blocks alive.
 */

/** A region of the memory: [offset, offset + bytes). */
export interface Block {
  readonly offset: number;
  readonly bytes: number;
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
  /** Live blocks in ring order from #head: #queue[#front ..] (the slots before #front are spent). */
  #queue: Block[] = [];
  #front = 0;

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
    // Each step either evicts a block, steps over a pinned one or wraps: bounded by twice the
    // blocks alive plus the wraps.
    let steps = 2 * (this.#queue.length - this.#front) + 4;
    while (steps-- > 0) {
      if (this.#head + size > this.#end) {
        this.#wrap();
        continue;
      }
      // The oldest block, if it lies ahead of the allocation point in this lap and in the way.
      const next = this.#queue[this.#front];
      if (next && next.offset >= this.#head && next.offset < this.#head + size) {
        this.#front++;
        if (next.pins > 0) {
          // In use: step over it; it is now behind the allocation point.
          this.#head = next.offset + next.bytes;
          this.#queue.push(next);
        } else {
          next.live = false;
        }
        continue;
      }
      const block: Block = { offset: this.#head, bytes: size, live: true, pins: 1 };
      this.#head += size;
      this.#queue.push(block);
      this.#compact();
      return block;
    }
    return undefined;
  }

  /** Back to the start of the ring: the blocks between the allocation point and the end become the newest in ring order. */
  #wrap(): void {
    const old = this.#head;
    this.#head = this.#start;
    const tail: Block[] = [];
    while (this.#front < this.#queue.length && this.#queue[this.#front].offset >= old) tail.push(this.#queue[this.#front++]);
    this.#queue.push(...tail);
  }

  /** Drops the spent front of the queue now and then. */
  #compact(): void {
    if (this.#front > 64 && this.#front * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#front);
      this.#front = 0;
    }
  }
}
