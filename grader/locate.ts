/**
 * Where each failed part points (its `location`, the line annotations go to): the most specific
 * place known, in this order: the traced value that is wrong (source 'trace'), a diagnosis's line
 * ('diagnosis'), a traced value near it (the last right one),
 * the student's frame of a runtime error ('error'), the part's `YOUR CODE HERE` block ('block'),
 * and the function's signature only when nothing else is known (a file without a body to point at).
 *
 * Also: which part of nnCostFunction a runtime error comes from, so the parts it stopped can say
 * so instead of sending the student to a section of the guide that is not the problem.
 */
import type { PartId, StudentFunction } from './parts/ids';
import type { PartEvaluation } from './parts/types';
import type { Diagnosis, SourceLocation } from './report/types';
import type { CallError, FunctionLocation } from './sandbox/protocol';
import { blockLocation, partOfLine, type SourceReader } from './diagnose/sources';
import { exactTrace } from './diagnose/trace';

const FRAME_AT = /\(?([^\s()]+\.[cm]?[jt]s):(\d+):(\d+)\)?$/;

/** The first error of a part's cases that carries the student's file and line. */
function errorWithLine(ev: PartEvaluation): CallError | undefined {
  return ev.cases.map((c) => c.error).find((e): e is CallError => !!e && !!e.file && !!e.line);
}

/** A runtime error's frame in `file` (the graded function's own file), from its first frame or its stack. */
export function frameIn(error: CallError, file: string): SourceLocation | null {
  if (error.file === file && error.line) return { file, line: error.line, ...(error.column ? { column: error.column } : {}), source: 'error' };
  for (const frame of error.stack ?? []) {
    const m = FRAME_AT.exec(frame);
    if (m && m[1] === file) return { file, line: Number(m[2]), column: Number(m[3]), source: 'error' };
  }
  return null;
}

/**
 * The most specific location of a failed part (see the module comment).
 * @param signature the function's definition (the sandbox's locations), the last resort
 */
export function partLocation(ev: PartEvaluation, diagnoses: readonly Diagnosis[], sources: SourceReader | undefined, signature: FunctionLocation | undefined): SourceLocation | undefined {
  // The exact value that is wrong, then the line a named mistake is about, then a value near it.
  const exact = diagnoses.find((d) => d.location?.source === 'trace' && (d.id !== 'blame:trace' || exactTrace(d)))?.location;
  if (exact) return { ...exact };
  const byDiagnosis = diagnoses.find((d) => d.location?.source === 'diagnosis')?.location;
  if (byDiagnosis) return { ...byDiagnosis };
  const near = diagnoses.find((d) => d.location?.source === 'trace')?.location;
  if (near) return { ...near };
  const error = errorWithLine(ev);
  if (error?.file && error.line) {
    const own = signature ? frameIn(error, signature.file) : null;
    return own ?? { file: error.file, line: error.line, ...(error.column ? { column: error.column } : {}), source: 'error' };
  }
  const src = sources?.(ev.definition.info.fn);
  const block = src ? blockLocation(src, ev.id) : null;
  if (block) return block;
  return signature ? { file: signature.file, line: signature.line, column: signature.column, source: 'signature' } : undefined;
}

/** A runtime error in nnCostFunction and the part whose code threw it (null when the file has no part markers). */
export interface RuntimeErrorOrigin {
  fn: StudentFunction;
  /** The graded function's frame of the error (in nnCostFunction.ts even when sigmoidGradient threw). */
  where: SourceLocation;
  part: PartId | null;
}

/** Where an nnCostFunction runtime error comes from, when the parts' cases threw one with the student's line. */
export function runtimeErrorOrigin(evaluations: readonly PartEvaluation[], sources: SourceReader | undefined, signatures: Partial<Record<StudentFunction, FunctionLocation>>): RuntimeErrorOrigin | null {
  for (const ev of evaluations) {
    if (ev.definition.info.fn !== 'nnCostFunction') continue;
    const error = ev.cases.map((c) => c.error).find((e): e is CallError => e?.code === 'threw');
    if (!error) continue;
    const file = signatures.nnCostFunction?.file ?? error.file;
    if (!file) return null;
    const where = frameIn(error, file) ?? (error.file && error.line ? { file: error.file, line: error.line, source: 'error' as const } : null);
    if (!where) return null;
    const src = sources?.('nnCostFunction');
    return { fn: 'nnCostFunction', where, part: src && where.file === src.file ? partOfLine(src, where.line) : null };
  }
  return null;
}
