/**
 * A CallError (grader/sandbox/protocol.ts) as catalogue messages: one id per error code, filled from
 * the error's language-neutral params, so the report, the walkthrough and every reporter say it in
 * the reader's language. The child that sent the params is hostile: only params of the expected
 * type, and only known values of the params that select a nested message, are used; otherwise the
 * error's English message is shown as it is (`call.other`).
 */
import { missingKitHelper } from '../kit';
import { STUDENT_FILES, type StudentFunction } from '../parts/ids';
import type { CallError, CallErrorCode } from '../sandbox/protocol';
import { isMessageRef, render, type Lang, type MessageId, type MessageParam, type MessageParams, type MessageRef } from './index';

/** The params a catalogue message needs, when the CallError carries them all (else undefined). */
function paramsOf(e: CallError, names: readonly string[]): Record<string, string | number> | undefined {
  const p = e.params ?? {};
  const out: Record<string, string | number> = {};
  for (const name of names) {
    const v = p[name];
    if (typeof v !== 'string' && typeof v !== 'number') return undefined;
    if (ALLOWED_CHOICES[name] && !ALLOWED_CHOICES[name].has(String(v))) return undefined;
    out[name] = v;
  }
  return out;
}

/** Param values that choose a nested catalogue message: only these are let through (the child is hostile). */
const ALLOWED_CHOICES: Record<string, ReadonlySet<string>> = {
  reason: new Set(['too-large', 'oversized', 'malformed', 'forged', 'unexpected', 'version', 'timeout', 'out-of-memory']),
  type: new Set(['number', 'string', 'boolean', 'bigint', 'symbol', 'undefined', 'object', 'null']),
  thrown: new Set(['null', 'undefined', 'string', 'number', 'boolean', 'bigint', 'symbol', 'function', 'promise', 'typed-array', 'nested-array', 'object']),
};

/** Per CallError code: its catalogue id and the params it needs (besides `fn`). */
const CALL_ERROR_IDS: Partial<Record<CallErrorCode, { id: MessageId; params: string[] }>> = {
  'missing-file': { id: 'call.missing-file', params: ['file', 'name'] },
  symlink: { id: 'call.symlink', params: ['file'] },
  'file-too-large': { id: 'call.file-too-large', params: ['file', 'kb', 'limitKb'] },
  'not-a-function': { id: 'call.not-a-function', params: ['file', 'type'] },
  timeout: { id: 'call.timeout', params: ['seconds'] },
  'out-of-memory': { id: 'call.out-of-memory', params: ['mb'] },
  crashed: { id: 'call.crashed', params: ['signal'] },
  'output-limit': { id: 'call.output-limit', params: ['mb'] },
  'protocol-error': { id: 'call.protocol-error', params: ['reason', 'mb'] },
};

/** A selector param of a kit message and the values it may take. */
type Choices = Readonly<Record<string, readonly string[]>>;
const GOT: Choices = { got: ['null', 'array', 'typed-array', 'object', 'value'] };
/** The `got` kinds' own params (kit.got.*), filled with '' when absent so no placeholder is left. */
const GOT_PARAMS = ['length', 'ctor', 'type', 'value'];

/**
 * The kit's errors (exercises/lib/matrix.ts, traced mmul) the catalogue knows: their params and
 * selectors. A kind not listed here, or a selector value outside its list, shows the English text.
 */
const KIT_ERRORS: Readonly<Record<string, { params: readonly string[]; choices?: Choices }>> = {
  'not-a-matrix': { params: ['fn', 'name', 'or', 'got'], choices: { or: ['none', 'number'], ...GOT } },
  'not-a-matrix-argument': { params: ['fn', 'index', 'or', 'got'], choices: { or: ['none', 'number'], ...GOT } },
  'bad-dims': { params: ['fn', 'rows', 'columns'] },
  'drop-first-column': { params: ['shape'] },
  'zero-first-column': { params: ['shape'] },
  mtimes: { params: ['a', 'b', 'hint'], choices: { hint: ['none', 'bias', 'bias-or-transpose-b', 'transpose-b', 'transpose-a', 'swap'] } },
  mmul: { params: ['a', 'b', 'hint'], choices: { hint: ['none', 'transpose-b', 'transpose-a'] } },
  elementwise: { params: ['fn', 'op', 'a', 'b'] },
  'sum-dim': { params: ['dim'] },
  'reshape-offset': { params: ['offset'] },
  'reshape-type': { params: ['got'], choices: GOT },
  'reshape-short': { params: ['rows', 'columns', 'need', 'offset', 'length', 'left'] },
  'one-hot-k': { params: ['K'] },
  'one-hot-shape': { params: ['shape'] },
  'one-hot-type': { params: ['got'], choices: GOT },
  'one-hot-label': { params: ['label', 'index', 'K'] },
  // The sandbox's walls (grader/sandbox/walls.ts) describe their refusals the same way.
  'sandbox-network': { params: [] },
  'sandbox-heap-snapshot': { params: [] },
  'sandbox-signals': { params: [] },
  'sandbox-priority': { params: [] },
  // The walkthrough's training run (grader/sandbox/walkthrough-calls.ts), when the cost is not { J, grad }.
  'train-cost': { params: [] },
  'fmincg-grad-length': { params: ['length', 'expected'] },
};

/** The kit's description of a thrown error (harness: params `kit` and `k.<name>`) as a catalogue message, if valid. */
function kitRef(p: MessageParams): MessageRef | undefined {
  const kind = p.kit;
  const spec = typeof kind === 'string' ? KIT_ERRORS[kind] : undefined;
  if (!spec) return undefined;
  const params: Record<string, string | number> = {};
  for (const name of spec.params) {
    const v = p[`k.${name}`];
    if (typeof v !== 'string' && typeof v !== 'number') return undefined;
    if (spec.choices?.[name] && !spec.choices[name].includes(String(v))) return undefined;
    params[name] = v;
  }
  if ('got' in params) for (const name of GOT_PARAMS) params[name] = typeof p[`k.${name}`] === 'string' || typeof p[`k.${name}`] === 'number' ? (p[`k.${name}`] as string | number) : '';
  return { id: `kit.${kind}` as MessageId, params };
}

/**
 * What a thrown error says, as a param of `call.threw*` and `walkthrough.threw`: the kit's own
 * errors in the reader's language (`kit.error`), a withheld permission or a thrown non-Error
 * explained, else JavaScript's own text (the same in every language).
 */
export function threwDetail(e: CallError): MessageParam {
  const p = e.params ?? {};
  const raw = typeof p.error === 'string' ? p.error : e.message;
  const kit = kitRef(p);
  const name = /^(\w+)/.exec(raw)?.[1];
  if (kit && name) return { id: 'kit.error', params: { name, message: kit } };
  if (p.denied === 1) return { id: 'call.detail.denied', params: { error: raw } };
  const thrown = paramsOf(e, ['thrown']);
  if (thrown) return { id: 'call.detail.thrown', params: thrown };
  return raw;
}

/**
 * What a compile error says, as the `detail` of `call.compile-error` and `walkthrough.compile-error`:
 * where, the compiler's own words (the same in every language) and how many more errors follow;
 * the English message when the params are missing (a report from an older grader).
 */
export function compileDetail(e: CallError): MessageParam {
  const p = paramsOf(e, ['where', 'more']);
  const said = e.params?.error;
  const known = isMessageRef(said) && said.id.startsWith('call.compile.import-');
  if (!p || typeof p.more !== 'number' || (typeof said !== 'string' && !known)) return e.message;
  const error: MessageParam = said === '' ? { id: 'call.compile.unknown' } : (said as MessageParam);
  const more: MessageParam = p.more > 0 ? { id: 'call.compile.more', params: { count: p.more } } : '';
  return { id: 'call.compile.detail', params: { where: p.where, error, more } };
}

/** "exercises/nnCostFunction.ts:42:7" for an error with a position, else undefined. */
function whereOf(e: CallError): string | undefined {
  return e.file && e.line ? `${e.file}:${e.line}${e.column ? `:${e.column}` : ''}` : undefined;
}

/**
 * A CallError as a catalogue message naming the function (rendered by the caller in its
 * language): one id per code, filled from the error's language-neutral params; `call.other`
 * with the English message when the params are not all there (e.g. a report from an older grader).
 */
export function callErrorRef(fn: StudentFunction, e: CallError): MessageRef {
  const file = `exercises/${STUDENT_FILES[fn]}`;
  const other: MessageRef = { id: 'call.other', params: { fn, detail: e.message.startsWith(`${fn} `) ? e.message.slice(fn.length + 1) : e.message } };
  switch (e.code) {
    case 'not-implemented':
      return { id: 'call.not-implemented', params: { fn, file } };
    case 'compile-error':
      return { id: 'call.compile-error', params: { fn, detail: compileDetail(e) } };
    case 'threw': {
      const helper = missingKitHelper(e.message);
      const where = whereOf(e);
      if (helper) return { id: 'call.missing-import', params: { fn, name: helper, where: e.file && e.line ? `${e.file}:${e.line}` : file } };
      const detail = threwDetail(e);
      if (e.params?.loading === 1) return where ? { id: 'call.threw-loading-at', params: { fn, file, detail, where } } : { id: 'call.threw-loading', params: { fn, file, detail } };
      return where ? { id: 'call.threw-at', params: { fn, detail, where } } : { id: 'call.threw', params: { fn, detail } };
    }
    case 'missing-export': {
      const p = paramsOf(e, ['file', 'exported']);
      if (!p) return other;
      return p.exported === '' ? { id: 'call.missing-export-nothing', params: { fn, file: p.file } } : { id: 'call.missing-export', params: { fn, ...p } };
    }
    case 'exited': {
      const called = paramsOf(e, ['file', 'how']);
      const exitedWith = paramsOf(e, ['exitCode']);
      if (called) return { id: 'call.exited-called', params: { fn, ...called } };
      return exitedWith ? { id: 'call.exited', params: { fn, ...exitedWith } } : other;
    }
    default: {
      // A call the grader skipped after an earlier one timed out or ran out of memory (api.ts):
      // its params come from the grader, the earlier case's name as a catalogue message.
      const caseName = e.params?.caseName;
      const skipped = e.params?.skipped ? paramsOf(e, ['reason']) : undefined;
      if (skipped && (isMessageRef(caseName) || typeof caseName === 'string')) return { id: 'call.not-run', params: { fn, caseName, ...skipped } };
      const known = CALL_ERROR_IDS[e.code];
      const params = known && paramsOf(e, known.params);
      return known && params ? { id: known.id, params: { fn, ...params } } : other;
    }
  }
}

/** A CallError as a student-facing line naming the function. */
export function callErrorMessage(fn: StudentFunction, e: CallError, lang: Lang = 'en'): string {
  return render(callErrorRef(fn, e), lang);
}
