/**
 * The walkthrough's (`npm run ex4`, exercises/ex4.ts) way to run student code: the grader's sandbox
 * with its protections (per-call timeout, no files or network, compile errors with their position,
 * the student's own stack frames, mutation checks), and the same reading of what goes wrong: a
 * failed call or an unusable value becomes the catalogue lines the walkthrough prints before it
 * stops, naming the file, the line, and the step of the exercise the line belongs to.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wireRef } from '../compare/index';
import { partOfLine, submissionSources, type SourceReader } from '../diagnose/sources';
import { missingKitHelper } from '../kit';
import { frameIn } from '../locate';
import { callErrorRef, compileDetail, threwDetail } from '../messages/call-errors';
import type { MessageRef } from '../messages/index';
import { STUDENT_FILES, type StudentFunction } from '../parts/ids';
import { PACKAGE_ROOT } from '../paths';
import type { CallError, CallOptions, CallOutcome, Sandbox, SandboxRequest, WireValue } from '../sandbox/protocol';

/** How long sigmoidGradient may take on a single number before it counts as the endless loop. */
const PROBE_MS = 2000;

/** A step cannot go on: the lines say why (already in the catalogue's terms). */
export class WalkthroughStop extends Error {
  constructor(readonly lines: MessageRef[]) {
    super(lines.map((l) => l.id).join(', '));
  }
}

/** The student's file of a function, as the walkthrough names it. */
export function fileOf(fn: StudentFunction): string {
  return `exercises/${STUDENT_FILES[fn]}`;
}

/**
 * The reference solutions as a submission (solutions/*.ts in a temporary exercises/ folder, their
 * `../exercises/lib/` imports pointed at `./lib/`, which the sandbox serves from the kit), so
 * `--impl solutions` runs the same way as a student's code.
 * @returns the folder and its cleanup
 */
export function stageSolutions(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-grader-ex4-'));
  const ex = join(dir, 'exercises');
  mkdirSync(ex);
  const solutions = join(PACKAGE_ROOT, 'solutions');
  for (const f of readdirSync(solutions)) {
    if (!f.endsWith('.ts')) continue;
    writeFileSync(join(ex, f), readFileSync(join(solutions, f), 'utf8').replaceAll("'../exercises/lib/", "'./lib/"));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a failed call means for the student, in catalogue lines (the file, the line and its part). */
export function failureLines(error: CallError, fn: StudentFunction, sources: SourceReader): MessageRef[] {
  const file = fileOf(fn);
  switch (error.code) {
    case 'not-implemented':
      return [{ id: 'walkthrough.stub', params: { fn } }, { id: `walkthrough.next.${fn}` as MessageRef['id'], params: { file } }];
    case 'timeout':
      return [{ id: 'walkthrough.timeout', params: { fn, file, seconds: Number(error.params?.seconds ?? 0) } }];
    case 'compile-error':
      return [{ id: 'walkthrough.compile-error', params: { detail: compileDetail(error) } }];
    case 'threw':
      return threwLines(error, fn, sources);
    default:
      return [{ id: 'walkthrough.failed', params: { error: callErrorRef(fn, error) } }];
  }
}

function threwLines(error: CallError, fn: StudentFunction, sources: SourceReader): MessageRef[] {
  const where = error.file && error.line ? `${error.file}:${error.line}${error.column ? `:${error.column}` : ''}` : fileOf(fn);
  const helper = missingKitHelper(error.message);
  const lines: MessageRef[] = [
    helper ? { id: 'call.missing-import', params: { fn, name: helper, where } } : { id: 'walkthrough.threw', params: { where, detail: threwDetail(error) } },
  ];
  // The line may belong to another part of nnCostFunction than the step's: every call runs them all.
  const src = sources('nnCostFunction');
  const own = src ? frameIn(error, src.file) : null;
  const part = src && own ? partOfLine(src, own.line) : null;
  if (part) lines.push({ id: 'walkthrough.in-part', params: { line: own?.line ?? 0, part } });
  return lines;
}

/** A value the walkthrough cannot use: a Promise (an async function), or the wrong kind of value. */
export function valueProblem(value: WireValue, fn: StudentFunction, expected: WireValue['kind'][]): MessageRef | null {
  if (expected.includes(value.kind)) return null;
  if (value.kind === 'other' && (value.about?.type === 'promise' || value.description.startsWith('a Promise'))) return { id: 'walkthrough.async', params: { fn, file: fileOf(fn) } };
  return { id: 'walkthrough.wrong-type', params: { fn, got: wireRef(value) } };
}

/**
 * The sandbox of one walkthrough run: calls that either answer or stop the step with the lines
 * that say why. Mutated arguments are reported through `onMutation` (a check that fails, not a stop).
 */
export class WalkthroughSession {
  readonly sources: SourceReader;

  constructor(
    private readonly sandbox: Sandbox,
    submission: string,
    private readonly onMutation: (fn: StudentFunction, argument: string, line: number) => void,
  ) {
    this.sources = submissionSources(submission, sandbox.locations());
  }

  /** Calls the sandbox; a failure stops the step (WalkthroughStop). */
  async call(request: SandboxRequest, options: CallOptions = {}): Promise<Extract<CallOutcome, { ok: true }>> {
    const outcome = await this.sandbox.call(request, options);
    if (!outcome.ok) {
      const lines = failureLines(outcome.error, request.fn, this.sources);
      if (outcome.error.code === 'timeout' && request.fn === 'nnCostFunction') lines.push(...(await this.probeSigmoidGradient()));
      throw new WalkthroughStop(lines);
    }
    const mutated = outcome.observations.mutated?.[0];
    if (mutated) this.onMutation(request.fn, mutated, outcome.observations.mutatedBy?.find((c) => c.argument === mutated)?.line ?? 0);
    return outcome;
  }

  /** Calls and checks the kind of value that came back. */
  async value(request: SandboxRequest, kinds: WireValue['kind'][], options: CallOptions = {}): Promise<WireValue> {
    const { value } = await this.call(request, options);
    const problem = valueProblem(value, request.fn, kinds);
    if (problem) throw new WalkthroughStop([problem]);
    return value;
  }

  /**
   * nnCostFunction calls the student's sigmoidGradient: when nnCostFunction runs out of time, a
   * sigmoidGradient that does not finish on one number is the likelier place of the endless loop.
   */
  private async probeSigmoidGradient(): Promise<MessageRef[]> {
    const outcome = await this.sandbox.call({ fn: 'sigmoidGradient', z: [[0]] }, { timeoutMs: PROBE_MS });
    if (outcome.ok || outcome.error.code !== 'timeout') return [];
    return [{ id: 'walkthrough.timeout-callee', params: { fn: 'sigmoidGradient', file: fileOf('sigmoidGradient'), seconds: PROBE_MS / 1000 } }];
  }

  close(): Promise<void> {
    return this.sandbox.close();
  }
}
