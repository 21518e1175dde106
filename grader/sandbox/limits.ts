/**
 * The sandbox's limits besides time: memory, the channel's caps, and the size of every piece of
 * student text that reaches a report. Whatever a submission does, the grader's work on it and the
 * report's size stay bounded. Pure functions: the harness (inside the child) uses them too.
 */
import type { CallError, CallOutcome, SandboxLimits, WireValue } from './protocol';

/** SandboxLimits with every optional cap filled in. */
export type ResolvedLimits = Required<SandboxLimits>;

/** Defaults of the caps SandboxLimits leaves optional (see SandboxLimits for what each means). */
export const DEFAULT_CAPS = {
  memoryMb: 1024,
  // A 5000×400 float64 matrix is 16 MB; room for it and the rest of a request.
  maxRequestBytes: 64 * 1024 * 1024,
  // A gradient of ~10,300 numbers is 82 KB and a trace of a few thousand entries a few hundred KB.
  maxReplyBytes: 8 * 1024 * 1024,
  maxReplyBytesPerCall: 16 * 1024 * 1024,
} as const;

/** Room above the V8 heap for ArrayBuffers, code and Node itself when the heap limit is raised. */
const HEAP_HEADROOM_MB = 256;

/** Fills in the optional caps; the data limit always leaves the V8 heap its room. */
export function resolveLimits(limits: SandboxLimits): ResolvedLimits {
  const caps = { ...DEFAULT_CAPS, ...definedOnly(limits) };
  return { ...caps, ...limits, memoryMb: Math.max(caps.memoryMb, limits.heapMb + HEAP_HEADROOM_MB) } as ResolvedLimits;
}

function definedOnly(limits: SandboxLimits): Partial<SandboxLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}

/** The largest student source file the grader reads, copies or bundles (bytes). */
export const MAX_SOURCE_BYTES = 256 * 1024;

/** Caps on student text in a CallError (and so in every report). */
export const TEXT_CAPS = {
  /** A thrown message, a description: characters, then lines. */
  messageChars: 4096,
  messageLines: 50,
  /** Stack frames kept, and characters per frame. */
  stackFrames: 20,
  frameChars: 300,
  /** A file path. */
  pathChars: 300,
} as const;

/** Marks text that was cut (language-neutral). */
export const TRUNCATED = ' […]';

/**
 * `text` cut to at most `maxChars` characters and `maxLines` lines (linear in what is kept, so a
 * 5 MB string costs no more than a 4 KB one), with TRUNCATED appended when anything was cut.
 */
export function truncateText(text: string, maxChars: number = TEXT_CAPS.messageChars, maxLines: number = TEXT_CAPS.messageLines): string {
  let head = text.length > maxChars ? text.slice(0, maxChars) : text;
  let at = -1;
  for (let line = 0; line < maxLines; line++) {
    at = head.indexOf('\n', at + 1);
    if (at < 0) break;
  }
  // `at` is the newline that ends line `maxLines`, when there is one: everything from it is cut.
  if (at >= 0) head = head.slice(0, at);
  return head.length < text.length ? head + TRUNCATED : text;
}

function boundWire(value: WireValue, depth = 0): WireValue {
  if (value.kind === 'other') {
    const out: WireValue = { kind: 'other', description: truncateText(value.description) };
    if (value.about) out.about = Object.fromEntries(Object.entries(value.about).map(([k, v]) => [k, typeof v === 'string' ? truncateText(v, 300, 1) : v]));
    return out;
  }
  if (value.kind === 'cost-and-gradient' && depth < 2) return { kind: 'cost-and-gradient', J: boundWire(value.J, depth + 1), grad: boundWire(value.grad, depth + 1) };
  return value;
}

/** A CallError with its student text capped (message, stack, paths, params). */
export function boundError(error: CallError): CallError {
  const out: CallError = { ...error, message: truncateText(error.message) };
  if (error.file !== undefined) out.file = truncateText(error.file, TEXT_CAPS.pathChars, 1);
  if (error.stack) out.stack = error.stack.slice(0, TEXT_CAPS.stackFrames).map((f) => truncateText(f, TEXT_CAPS.frameChars, 1));
  if (error.params) {
    out.params = Object.fromEntries(Object.entries(error.params).map(([k, v]) => [k, typeof v === 'string' ? truncateText(v) : v]));
  }
  return out;
}

/** A CallOutcome from the child with all of its student text capped (numbers are left to the channel's caps). */
export function boundOutcome(outcome: CallOutcome): CallOutcome {
  return outcome.ok ? { ...outcome, value: boundWire(outcome.value) } : { ...outcome, error: boundError(outcome.error) };
}
