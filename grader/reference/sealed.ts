/**
 * Sealed expected values (docs/sealed-fixtures.md): the hidden cases' expected outputs as salted
 * slow hashes of their cells (./cells.ts), so a student release can tell whether an answer is right
 * without holding a value anyone could read back. This module is the only reader of the sealed pool
 * (grader/fixtures/sealed.json) and the only place that hashes.
 *
 * Hash: scrypt (node:crypto; memory-hard, so a GPU gains little) with N = 2^14, r = 8, p = 1
 * (16 MiB, ~55 ms on one core of the development machine) over the cell indices, salted per sealed
 * value with sha256(domain ‖ the file's random pepper ‖ the value's id); 128-bit digests.
 */
import { createHash, scrypt as scryptCb, scryptSync } from 'node:crypto';
import { join } from 'node:path';
import { GRADER_DIR } from '../paths';
import { readStoredFile } from './stored-file';
import { centredCells, gridCandidates, type CentredLayout, type CellTolerance } from './cells';

export const SEALED_FORMAT = 'backprop-grader/sealed' as const;
export const SEALED_VERSION = 1 as const;
export const SEALED_PATH = join(GRADER_DIR, 'fixtures', 'sealed.json');
export const SEALED_SCHEMA_PATH = join(GRADER_DIR, 'fixtures', 'sealed.schema.json');

/** The slow hash's parameters, stored in the file (a grader verifies with the file's own). */
export interface KdfParams {
  name: 'scrypt';
  /** CPU/memory cost (a power of two); memory is 128·N·r bytes. */
  N: number;
  r: number;
  p: number;
  /** Digest length in bytes. */
  keyLength: number;
}

/** Chosen so that a sealed grade (about 22 hashes, 2 in parallel) stays well under 2 s on 2 cores (bench/grade.bench.ts). */
export const DEFAULT_KDF: KdfParams = { name: 'scrypt', N: 2 ** 14, r: 8, p: 1, keyLength: 16 };

/** The quantities a sealed value can be, and the tolerance its cells were built with. */
export type SealedQuantity = 'J' | 'grad' | 'g' | 'numgrad' | 'numcheck';

/**
 * The tolerances the pool's cells are built with. `grad`, `g`, `numgrad` and `numcheck` are the
 * parts' own default tolerances; J's cells are 1000× narrower than the default rtol (a scalar has
 * one element to search, so it needs narrow cells to resist brute force; correct costs agree with
 * the reference to ~1e-15 relative, far inside 1e-9). See docs/sealed-fixtures.md.
 */
export const SEAL_TOLERANCES: Record<SealedQuantity, CellTolerance> = {
  J: { atol: 1e-12, rtol: 1e-9 },
  grad: { atol: 1e-9, rtol: 1e-6 },
  g: { atol: 1e-9, rtol: 1e-6 },
  numgrad: { atol: 1e-11, rtol: 1e-10 },
  numcheck: { atol: 1e-7, rtol: 1e-5 },
};

/** A centred seal: per-element layout and the digest of the expected cells. */
export interface CentredSeal {
  kind: 'centred';
  /** Unique in the file (its salt derives from it), e.g. "nn-reg/17/grad" or "nn-reg/17/grad:gradSignFlipped". */
  id: string;
  layout: CentredLayout;
  digest: Buffer;
}

/** A grid seal (the speed probes): the digest of the expected cells on the fixed grid. */
export interface GridSeal {
  kind: 'grid';
  id: string;
  digest: Buffer;
}

export type Seal = CentredSeal | GridSeal;

/** How a sealed value is written in sealed.json: "<base64 exps‖offs>.<base64 digest>". */
export function encodeCentred(layout: CentredLayout, digest: Buffer): string {
  return `${Buffer.concat([Buffer.from(layout.exps.buffer, layout.exps.byteOffset, layout.exps.length), Buffer.from(layout.offs)]).toString('base64')}.${digest.toString('base64')}`;
}

/** The inverse of encodeCentred. */
export function decodeCentred(id: string, text: string): CentredSeal {
  const dot = text.indexOf('.');
  const cells = Buffer.from(text.slice(0, dot), 'base64');
  const n = cells.length / 2;
  if (dot < 0 || !Number.isInteger(n)) throw new Error(`sealed value ${id} is malformed`);
  return {
    kind: 'centred',
    id,
    layout: { exps: new Int8Array(cells.buffer.slice(cells.byteOffset, cells.byteOffset + n)), offs: new Uint8Array(cells.subarray(n)) },
    digest: Buffer.from(text.slice(dot + 1), 'base64'),
  };
}

/** The bytes hashed for a cell vector: a domain tag, the scheme and the indices as float64 (exact below 2^53). */
function preimage(kind: Seal['kind'], cells: readonly number[]): Buffer {
  const head = Buffer.from(`backprop-grader sealed v1 ${kind} ${cells.length}\n`);
  return Buffer.concat([head, Buffer.from(Float64Array.from(cells).buffer)]);
}

/** The salt of a sealed value: distinct per value and per file, so no table computed for one serves another. */
export function saltOf(pepper: Buffer, id: string): Buffer {
  return createHash('sha256').update('backprop-grader sealed salt v1\0').update(pepper).update(id).digest();
}

function scryptOptions(kdf: KdfParams) {
  return { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 };
}

/** The digest of a cell vector (synchronous: blocks the event loop for one hash). */
export function digestSync(kdf: KdfParams, pepper: Buffer, id: string, kind: Seal['kind'], cells: readonly number[]): Buffer {
  return scryptSync(preimage(kind, cells), saltOf(pepper, id), kdf.keyLength, scryptOptions(kdf));
}

/** The digest of a cell vector on libuv's thread pool (hashes run in parallel across cores). */
export function digest(kdf: KdfParams, pepper: Buffer, id: string, kind: Seal['kind'], cells: readonly number[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(preimage(kind, cells), saltOf(pepper, id), kdf.keyLength, scryptOptions(kdf), (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** The cell vectors an answer is tried with: one for a centred seal, up to 16 for a grid seal; [] when it cannot pass. */
export function candidatesFor(seal: Seal, values: readonly number[]): number[][] {
  if (seal.kind === 'centred') {
    const cells = centredCells(values, seal.layout);
    return cells ? [cells] : [];
  }
  return gridCandidates(values) ?? [];
}

/** A verdict cache key: the seal and the exact bits of the answer. */
function keyOf(seal: Seal, values: readonly number[]): string {
  return `${seal.id}\0${createHash('sha256').update(Buffer.from(Float64Array.from(values).buffer)).digest('base64')}`;
}

/**
 * Checks answers against seals. `prefetch` starts the hashes of an answer on the thread pool (the
 * engine calls it as each sandbox call returns, so hashing overlaps the student's code running);
 * `check` answers synchronously, from the prefetched verdict when there is one, else by hashing now.
 */
export class SealVerifier {
  private readonly verdicts = new Map<string, boolean>();
  private readonly pending = new Map<string, Promise<boolean>>();
  /** Hashes computed so far (for the bench and tests). */
  hashes = 0;

  constructor(
    readonly kdf: KdfParams,
    private readonly pepper: Buffer,
  ) {}

  /** Starts verifying `values` against `seal` in the background (no-op when already known or started). */
  prefetch(seal: Seal, values: readonly number[]): void {
    const key = keyOf(seal, values);
    if (this.verdicts.has(key) || this.pending.has(key)) return;
    const run = async (): Promise<boolean> => {
      for (const cells of candidatesFor(seal, values)) {
        this.hashes++;
        if ((await digest(this.kdf, this.pepper, seal.id, seal.kind, cells)).equals(seal.digest)) return true;
      }
      return false;
    };
    const p = run().then((ok) => {
      this.verdicts.set(key, ok);
      this.pending.delete(key);
      return ok;
    });
    this.pending.set(key, p);
  }

  /** Resolves when every prefetched verification has finished. */
  async settle(): Promise<void> {
    await Promise.all(this.pending.values());
  }

  /** True when `values` lie in the sealed cells. Synchronous; hashes now unless prefetched and settled. */
  check(seal: Seal, values: readonly number[]): boolean {
    const key = keyOf(seal, values);
    const known = this.verdicts.get(key);
    if (known !== undefined) return known;
    let ok = false;
    for (const cells of candidatesFor(seal, values)) {
      this.hashes++;
      if (digestSync(this.kdf, this.pepper, seal.id, seal.kind, cells).equals(seal.digest)) {
        ok = true;
        break;
      }
    }
    this.verdicts.set(key, ok);
    return ok;
  }
}

// ---- the sealed pool file ---------------------------------------------------------------------------

/**
 * One sealed pool entry: key -> encoded centred seal, where the key is a quantity ("J", "grad", "g",
 * "numgrad") for the expected output, or "quantity:variant key" (e.g. "grad:gradSignFlipped") for a
 * mistake variant's output, used by diagnosis.
 */
export type SealedEntry = Record<string, string>;

/** grader/fixtures/sealed.json (schema: grader/fixtures/sealed.schema.json). */
export interface SealedFile {
  format: typeof SEALED_FORMAT;
  version: typeof SEALED_VERSION;
  /** The seed the pool's cases are generated from (grader/cases/hidden.ts), and entries per family. */
  poolSeed: number;
  poolSize: number;
  /** Speed probes per probe family (their inputs are generated from poolSeed and the index). */
  probePoolSize: number;
  kdf: KdfParams;
  /** Random bytes (base64) mixed into every salt. */
  pepper: string;
  /** The tolerances the cells were built with, per quantity (documentation; the cells carry them). */
  tolerances: Record<SealedQuantity, CellTolerance>;
  /** Per case family (those with expected outputs), poolSize entries in pool order. */
  pool: Record<string, SealedEntry[]>;
  /** Per probe family, base64 of probePoolSize digests (keyLength bytes each), in index order. */
  probes: Record<string, string>;
}

let cached: { path: string; file: SealedFile } | undefined;

/**
 * The sealed pool, read once per process. Checks the format and version only (startup stays fast);
 * the schema is enforced when the file is written and by the test suite.
 */
export function loadSealed(path = SEALED_PATH): SealedFile {
  if (cached && cached.path === path) return cached.file;
  const data = readStoredFile<SealedFile>(path, { format: SEALED_FORMAT, version: SEALED_VERSION, what: 'the sealed hidden cases' });
  cached = { path, file: data };
  return data;
}

/** Forgets the cached file (after `fixtures` rewrote it). */
export function forgetSealed(): void {
  cached = undefined;
}

/** A verifier for a sealed file's seals. */
export function verifierFor(file: SealedFile): SealVerifier {
  return new SealVerifier(file.kdf, Buffer.from(file.pepper, 'base64'));
}

/** The centred seal of pool entry `index` of `family` for `key` ("J", "grad:gradSignFlipped", …), when stored. */
export function poolSeal(file: SealedFile, family: string, index: number, key: string): CentredSeal | undefined {
  const text = file.pool[family]?.[index]?.[key];
  return typeof text === 'string' ? decodeCentred(`${family}/${index}/${key}`, text) : undefined;
}

/** The grid seal of speed probe `index` of `family`. */
export function probeSeal(file: SealedFile, family: string, index: number): GridSeal | undefined {
  const all = file.probes[family];
  if (!all || index < 0 || index >= file.probePoolSize) return undefined;
  const bytes = Buffer.from(all, 'base64');
  const w = file.kdf.keyLength;
  return { kind: 'grid', id: `${family}/${index}/grad`, digest: bytes.subarray(index * w, (index + 1) * w) };
}
