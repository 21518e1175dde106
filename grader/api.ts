/**
 * The engine's entry point: grade(options) -> GradeReport.
 *
 *   load (cases + reference) -> sandbox calls -> compare -> diagnose -> score -> report
 *
 * A report always exists for a student's code, whatever it does: every part of the preset appears
 * with its full maxScore (errors: status 'errored', score 0) and the sandbox is always closed. Only
 * the grader's own failures (a bug, missing fixtures, bad options) throw.
 */
import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { buildCaseSet, caseNameRef, type StoredReference } from './cases/index';
import { PROBE_BUDGET_MS } from './cases/probe';
import { requestsFor } from './cases/requests';
import { isProbe, type CaseFamily, type GradingCase } from './cases/types';
import { comparisonRef, failedWith, type Comparison } from './compare/index';
import { diagnose } from './diagnose/index';
import { submissionSources, type SourceReader } from './diagnose/sources';
import { partLocation, runtimeErrorOrigin, type RuntimeErrorOrigin } from './locate';
import { resolveOptions, type GradeOptions } from './options';
import { selectParts } from './parts/index';
import type { PartId, StudentFunction } from './parts/ids';
import type { CallResult, CaseEvaluation, PartDefinition, PartEvaluation, Verdict } from './parts/types';
import { graderVersion } from './paths';
import { failureKind, isProbeTimeout, prefetchSeals, probeTooSlow } from './parts/sealed-run';
import { loadStoredReference } from './reference/fixtures';
import { loadReference, type Reference } from './reference/load';
import { verifierFor, type SealVerifier } from './reference/sealed';
import { PART_SECTION } from './messages/guide';
import { partTitle } from './messages/parts';
import { callErrorRef } from './messages/call-errors';
import { OptionError } from './messages/errors';
import { listRef, render, type Lang, type MessageRef } from './messages/index';
import type { CaseResult, Diagnosis, FailureKind, GradeReport, Message, PartResult } from './report/types';
import { SCHEMA_VERSION } from './report/types';
import type { CallError, CallErrorCode, CallOutcome, Sandbox, SandboxLimits, SandboxOptions, SandboxRequest } from './sandbox/protocol';

export { callErrorMessage, callErrorRef } from './messages/call-errors';
import { partStatus, scorePart, totalScore } from './scoring';

export type { CaseEvaluation, PartEvaluation } from './parts/types';

/** How grade() opens a sandbox; injectable (tests, tools). Default: grader/sandbox openSandbox. */
export type OpenSandboxFn = (submissionPath: string, limits: SandboxLimits, options: SandboxOptions) => Promise<Sandbox>;

/** Seams for tests and tools; a normal run passes nothing. */
export interface GradeInternals {
  openSandbox?: OpenSandboxFn;
  /** Receives the evaluations (e.g. for diagnosis development) before the report is built. */
  onEvaluations?: (evaluations: PartEvaluation[]) => void;
}

/** A fresh seed for a run without --seed (reported, so the run can be reproduced). */
export function drawSeed(): number {
  return randomInt(1, 2 ** 31 - 1);
}

/**
 * Errors after which further calls to the same function are not made: they would repeat the same
 * error (compile error, missing export, stub) or cost another full timeout each.
 */
const STICKY: ReadonlySet<CallErrorCode> = new Set<CallErrorCode>([
  'not-implemented',
  'compile-error',
  'missing-file',
  'missing-export',
  'not-a-function',
  'timeout',
  'out-of-memory',
]);

/**
 * The trace is recorded on the two public cases (λ = 0 and λ > 0): enough to locate a mistake, and
 * it keeps the trace's cost to a fraction of a grade (bench/trace.bench.ts). A mistake that only
 * hidden cases show is traced afterwards on one of them (retraceHidden).
 */
function traced(c: GradingCase, request: SandboxRequest, force = false): SandboxRequest {
  if (request.fn !== 'nnCostFunction' || 'op' in request) return request;
  const traceable = force || ((c.family === 'nn-unreg' || c.family === 'nn-reg') && !c.hidden);
  return traceable ? { ...request, trace: true } : request;
}

/**
 * When an nnCostFunction part failed only on hidden cases (its public case passed, so its trace
 * shows nothing wrong), calls its first failed hidden case again with the trace on, so diagnosis
 * can locate the mistake there. Same inputs, so the same answer: the verdicts do not change.
 */
async function retraceHidden(sandbox: Sandbox, evaluations: readonly PartEvaluation[]): Promise<void> {
  const done = new Set<string>();
  for (const ev of evaluations) {
    const nn = ev.cases.filter((c) => c.case.family === 'nn-unreg' || c.case.family === 'nn-reg');
    if (nn.length === 0 || nn.some((c) => !c.case.hidden && c.verdict === 'failed')) continue;
    const hidden = nn.find((c) => c.case.hidden && c.verdict === 'failed' && c.outcomes[0]?.ok);
    if (!hidden || done.has(hidden.case.id)) continue;
    done.add(hidden.case.id);
    const [request] = requestsFor(hidden.case);
    const again = await sandbox.call(traced(hidden.case, request, true));
    const first = hidden.outcomes[0];
    if (again.ok && first?.ok && again.observations.trace) {
      first.observations.trace = again.observations.trace;
      if (again.observations.traceInputs) first.observations.traceInputs = again.observations.traceInputs;
    }
  }
}

/**
 * Runs each case's requests once (cases shared by two parts are not called twice), in order; the
 * speed probes last, each within its own budget. `onCase` sees each case's outcomes as they arrive.
 * @returns the outcomes per case id, and the probes whose own call ran out of its budget
 */
async function runCases(
  sandbox: Sandbox,
  cases: GradingCase[],
  onCase: (c: GradingCase, outcomes: CallOutcome[]) => void = () => {},
): Promise<{ outcomes: Map<string, CallOutcome[]>; probeTimeouts: Set<string> }> {
  const results = new Map<string, CallOutcome[]>();
  const probeTimeouts = new Set<string>();
  const sticky = new Map<StudentFunction, { error: CallError; caseName: MessageRef }>();
  cases = [...cases.filter((c) => !isProbe(c)), ...cases.filter(isProbe)];
  for (const c of cases) {
    if (results.has(c.id)) continue;
    const outcomes: CallOutcome[] = [];
    for (const request of requestsFor(c)) {
      const earlier = sticky.get(request.fn);
      if (earlier) {
        const { error, caseName } = earlier;
        const repeat = error.code === 'timeout' || error.code === 'out-of-memory';
        const skipped: CallError = {
          code: error.code,
          message: `not run: an earlier call (${render(caseName, 'en')}) ${error.code === 'timeout' ? 'timed out' : 'ran out of memory'}`,
          params: { fn: request.fn, caseName, reason: error.code, skipped: 1 },
        };
        outcomes.push({ ok: false, durationMs: 0, error: repeat ? skipped : error });
        continue;
      }
      const outcome = isProbe(c) ? await sandbox.call(request, { timeoutMs: c.budgetMs }) : await sandbox.call(traced(c, request));
      outcomes.push(outcome);
      // A probe running out of its budget is its verdict (too slow), never a reason to skip other calls.
      if (isProbe(c) && !outcome.ok && outcome.error.code === 'timeout') probeTimeouts.add(c.id);
      else if (!outcome.ok && STICKY.has(outcome.error.code)) sticky.set(request.fn, { error: outcome.error, caseName: caseNameRef(c) });
      if (!outcome.ok) break; // the case has no answer; its other calls would tell nothing new
    }
    results.set(c.id, outcomes);
    onCase(c, outcomes);
  }
  return { outcomes: results, probeTimeouts };
}

/** The first argument a case's calls changed in place, with the method and line when known. */
function mutationOf(outcomes: readonly CallOutcome[]): { argument: string; method?: string; line?: number } | undefined {
  for (const o of outcomes) {
    if (!o.ok || !o.observations.mutated?.length) continue;
    const argument = o.observations.mutated[0];
    const by = o.observations.mutatedBy?.find((c) => c.argument === argument);
    return by ? { argument, method: by.method, line: by.line } : { argument };
  }
  return undefined;
}

/** What evaluateCase needs besides the case: the run's options, seal verdicts and probe timeouts. */
interface EvaluationContext {
  options: GradeOptions;
  seals?: SealVerifier;
  probeTimeouts: ReadonlySet<string>;
}

function evaluateCase(part: PartDefinition, c: GradingCase, outcomes: CallOutcome[], ctx: EvaluationContext): CaseEvaluation {
  const { options } = ctx;
  const lang = options.lang;
  const durationMs = outcomes.reduce((s, o) => s + o.durationMs, 0);
  const failedCall = outcomes.find((o) => !o.ok);
  if (isProbeTimeout(c, failedCall, ctx.probeTimeouts) && failedCall && !failedCall.ok) {
    return { case: c, outcomes, verdict: 'failed', failure: 'too-slow', error: failedCall.error, comparison: probeTooSlow(c), durationMs };
  }
  if (failedCall && !failedCall.ok) {
    const error = failedCall.error;
    const verdict: Verdict = error.code === 'not-implemented' ? 'failed' : 'errored';
    return { case: c, outcomes, verdict, error, comparison: failedWith(undefined, callErrorRef(part.info.fn, error)), durationMs };
  }
  const results: CallResult[] = outcomes.map((o) => (o.ok ? { value: o.value, observations: o.observations } : (undefined as never)));
  const comparison: Comparison = part.judge(c, results, { tolerance: options.tolerance, seals: ctx.seals });
  const mutation = mutationOf(outcomes);
  if (mutation) {
    // A graded function must leave its inputs unchanged, whatever it returns.
    const params = { fn: part.info.fn, argument: mutation.argument, by: mutation.method ? 'method' : 'none', method: mutation.method ?? '', line: mutation.line ?? 0 };
    return { case: c, outcomes, verdict: 'failed', comparison: { ...comparison, ...failedWith(comparison.problem ?? 'value', { id: 'report.case.mutated', params }), passed: false }, failure: 'mutation', durationMs };
  }
  return { case: c, outcomes, verdict: comparison.passed ? 'passed' : 'failed', comparison, durationMs };
}

/** A case's result in the report: its name and its failure's sentence rendered in `lang`, each beside its id and params. */
function caseResult(e: CaseEvaluation, lang: Lang): CaseResult {
  const nameRef = caseNameRef(e.case);
  const r: CaseResult = { name: render(nameRef, lang), nameId: nameRef.id, hidden: e.case.hidden, passed: e.verdict === 'passed', durationMs: round1(e.durationMs) };
  if (nameRef.params) r.nameParams = nameRef.params;
  const failure = failureKind(e);
  if (failure) r.failure = failure;
  if (e.case.sealed) r.sealed = true;
  const ref = e.verdict !== 'passed' ? comparisonRef(e.comparison) : undefined;
  if (ref) {
    r.message = render(ref, lang);
    r.messageId = ref.id;
    if (ref.params) r.params = ref.params;
  } else if (e.verdict !== 'passed' && e.comparison.message) r.message = e.comparison.message;
  if (e.verdict !== 'passed' && e.comparison.worst) r.worst = e.comparison.worst;
  if (e.verdict !== 'passed' && e.comparison.diff) r.diff = e.comparison.diff;
  return r;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** A report Message from a catalogue id, rendered in `lang`. */
function message(level: Message['level'], ref: MessageRef, lang: Lang): Message {
  return { level, id: ref.id, ...(ref.params ? { params: ref.params } : {}), text: render(ref, lang) };
}

/** How nnCostFunction's runtime error concerns a part, when one stopped it. */
interface PartContext {
  /** The runtime error that stopped this part's cases came from another part's code. */
  blockedBy?: RuntimeErrorOrigin;
  /** The trace was recorded but could not tell the line. */
  traceSilent?: boolean;
}

/** True when every failing case of the part stopped at a runtime error (threw) of its function. */
function stoppedByThrow(ev: PartEvaluation): boolean {
  const failing = ev.cases.filter((c) => c.verdict !== 'passed');
  return failing.length > 0 && failing.every((c) => c.error?.code === 'threw');
}

/** The part a runtime error stopped although its code is elsewhere: the error's part, not this one's. */
function blockedBy(ev: PartEvaluation, origin: RuntimeErrorOrigin | null): RuntimeErrorOrigin | undefined {
  if (!origin || ev.definition.info.fn !== origin.fn || origin.part === null || origin.part === ev.id) return undefined;
  return stoppedByThrow(ev) ? origin : undefined;
}

function blockedMessage(origin: RuntimeErrorOrigin, lang: Lang): Message {
  const where = `${origin.where.file}:${origin.where.line}`;
  return message('error', { id: 'report.part.blocked-by-error', params: { fn: origin.fn, where, inPart: origin.part ?? 'none' } }, lang);
}

/** The part's summary lines: what happened, the first failure, and the section of the guide to revisit. */
function partMessages(ev: PartEvaluation, status: PartResult['status'], lang: Lang, context: PartContext = {}): Message[] {
  if (status !== 'passed' && context.blockedBy) return [blockedMessage(context.blockedBy, lang)];
  const lines = summaryMessages(ev, status, lang);
  if (status !== 'passed' && context.traceSilent) lines.splice(lines.length - 1, 0, message('info', { id: 'report.part.trace-silent' }, lang));
  return lines;
}

function summaryMessages(ev: PartEvaluation, status: PartResult['status'], lang: Lang): Message[] {
  const n = ev.cases.length;
  if (status === 'passed') {
    const pub = ev.cases.filter((c) => !c.case.hidden).length;
    return [message('info', { id: 'report.part.passed', params: { count: n, public: pub, hidden: n - pub } }, lang)];
  }
  const fn = ev.definition.info.fn;
  const notes = message('info', { id: 'report.part.revisit', params: { section: PART_SECTION[ev.id] } }, lang);
  if (ev.cases.every((c) => c.error?.code === 'not-implemented')) {
    return [message('error', callErrorRef(fn, ev.cases[0].error as CallError), lang), notes];
  }
  const failing = ev.cases.filter((c) => c.verdict !== 'passed');
  const first = failing[0];
  const same = failing.length === n && failing.every((c) => c.error && c.comparison.message === first.comparison.message);
  const lines: Message[] = [];
  if (same && first.error) lines.push(message('error', callErrorRef(fn, first.error), lang));
  else {
    const detail: MessageRef = comparisonRef(first.comparison) ?? { id: first.error ? 'report.part.no-answer' : 'report.part.wrong-answer' };
    lines.push(message('error', { id: 'report.part.cases-failed', params: { failed: failing.length, count: n, caseName: caseNameRef(first.case), detail } }, lang));
  }
  const stack = first.error?.stack;
  if (stack && stack.length > 0) lines.push(message('info', { id: 'report.part.your-stack', params: { frames: stack.slice(0, 5).join('\n  ') } }, lang));
  lines.push(notes);
  return lines;
}

/**
 * Grades one submission.
 * @param input `submission` (an exercises folder, or a repository containing exercises/) plus any
 *        GradeOptions; the rest take their defaults (grader/options.ts). Without `seed` a fresh one
 *        is drawn and reported.
 * @returns the complete GradeReport: every part of the preset, even when the submission is broken.
 * @throws only for the grader's own failures (bad options, missing fixtures, a grader bug).
 */
export async function grade(input: Partial<GradeOptions> & { submission: string }, internals: GradeInternals = {}): Promise<GradeReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const options = resolveOptions(input);
  const seed = options.seed ?? drawSeed();
  if (!Number.isSafeInteger(seed)) throw new OptionError({ id: 'cli.option.seed', params: { value: String(seed) } });
  options.seed = seed;
  if (!Number.isInteger(options.hiddenCases) || options.hiddenCases < 0 || options.hiddenCases > 1000) {
    throw new OptionError({ id: 'cli.option.hidden-cases', params: { value: String(options.hiddenCases) } });
  }
  const { atol, rtol } = options.tolerance;
  if (!(atol >= 0 && rtol >= 0 && Number.isFinite(atol) && Number.isFinite(rtol))) {
    throw new OptionError({ id: 'cli.option.tolerance', params: { atol: String(atol), rtol: String(rtol) } });
  }
  const parts = selectParts(options);

  const submission = resolve(options.submission);
  const open: OpenSandboxFn = internals.openSandbox ?? (await import('./sandbox/index')).openSandbox;
  const sandboxOptions: SandboxOptions = { isolation: options.isolation, trace: options.trace };
  // Opening bundles the submission (esbuild's own process) and the calls run in a child process:
  // meanwhile this process loads the reference and computes the expected outputs, so the
  // grader's own work hides behind the sandbox's. The rejection is observed below (await opening).
  const opening = open(submission, options.limits, sandboxOptions);
  opening.catch(() => undefined);
  let sandbox: Sandbox | undefined;
  let filling: Promise<void> = Promise.resolve();
  try {
    // Load: the reference (live solutions, or the stored fixtures) and this run's cases.
    let reference: Reference | null = null;
    if (options.reference === 'auto' || options.reference === 'solutions') {
      reference = await loadReference();
      if (!reference && options.reference === 'solutions') throw new OptionError({ id: 'cli.option.no-solutions' });
    }
    // Without the live reference: the shipped public fixtures and the sealed hidden cases.
    const stored: StoredReference | undefined = reference ? undefined : loadStoredReference();
    const seals = stored ? verifierFor(stored.sealed) : undefined;
    const families = new Set<CaseFamily>(parts.flatMap((p) => p.definition.families));
    const probeBudgetMs = Math.min(PROBE_BUDGET_MS, options.limits.timeoutMs);
    const caseSet = buildCaseSet(families, seed, options.hiddenCases, { stored, probeBudgetMs });
    const casesOf = (def: PartDefinition): GradingCase[] => def.families.flatMap((f): GradingCase[] => caseSet[f] ?? []);
    const ordered = parts.flatMap((p) => casesOf(p.definition));

    // Expected outputs, only for the cases this run uses (fixtures already carry them), one case
    // per turn of the event loop so the sandbox's messages are handled in between.
    if (reference) filling = fillExpectedInTurns(reference, ordered, seed);
    filling.catch(() => undefined);

    sandbox = await opening;
    const definitions = parts.map((p) => p.definition);
    const onCase = seals ? (c: GradingCase, o: CallOutcome[]) => prefetchSeals(c, o, definitions, seals, options.tolerance) : undefined;
    const { outcomes, probeTimeouts } = await runCases(sandbox, ordered, onCase);
    await filling;
    await seals?.settle();

    // Compare.
    const evaluations: PartEvaluation[] = parts.map(({ definition, maxScore }) => ({
      id: definition.id,
      definition,
      maxScore,
      cases: casesOf(definition).map((c) => evaluateCase(definition, c, outcomes.get(c.id) ?? [], { options, seals, probeTimeouts })),
    }));
    if (options.trace && options.diagnose) await retraceHidden(sandbox, evaluations);
    internals.onEvaluations?.(evaluations);

    // Diagnose (explains failures; never changes a verdict), with the student's files for lines.
    const locations = sandbox.locations();
    const sources = submissionSources(submission, locations);
    const traceSilent = new Set<PartId>();
    const diagnoses: Map<PartId, Diagnosis[]> = await diagnose(evaluations, { reference, options, seed, stored, seals, sources, traceSilent });
    const origin = runtimeErrorOrigin(evaluations, sources, locations);

    // Score and report.
    const partResults: PartResult[] = evaluations.map((ev) => {
      const verdicts = ev.cases.map((c) => c.verdict);
      const status = partStatus(verdicts);
      const partDiagnoses = status === 'passed' ? [] : (diagnoses.get(ev.id) ?? []);
      const result: PartResult = {
        id: ev.id,
        title: partTitle(ev.id, options.lang),
        score: scorePart(ev.maxScore, verdicts, options.partialCredit),
        maxScore: ev.maxScore,
        status,
        messages: [],
        cases: ev.cases.map((c) => caseResult(c, options.lang)),
        diagnoses: partDiagnoses,
        durationMs: round1(ev.cases.reduce((s, c) => s + c.durationMs, 0)),
      };
      const where = status === 'passed' ? undefined : partLocation(ev, partDiagnoses, sources, locations[ev.definition.info.fn]);
      if (where) result.location = where;
      // "The trace could not tell" only where nothing better than the part's block is known.
      const vague = !where || where.source === 'block' || where.source === 'signature';
      result.messages = partMessages(ev, status, options.lang, { blockedBy: blockedBy(ev, origin), traceSilent: vague && traceSilent.has(ev.id) });
      return result;
    });
    const total = totalScore(partResults);
    const report: GradeReport = {
      schemaVersion: SCHEMA_VERSION,
      grader: { name: 'backprop-grader', version: graderVersion() },
      seed,
      submission,
      preset: options.preset,
      lang: options.lang,
      score: total.score,
      maxScore: total.maxScore,
      parts: partResults,
      reference: reference ? 'solutions' : 'sealed',
      isolation: sandbox.isolation,
      startedAt: startedAt.toISOString(),
      durationMs: 0,
    };
    const notices = [isolationNotice(sandbox, options.lang), runtimeErrorNotice(evaluations, origin, options.lang)].filter((m): m is Message => m !== undefined);
    if (notices.length > 0) report.notices = notices;
    const output = sandbox.output();
    if (output) report.submissionOutput = output;
    report.durationMs = round1(performance.now() - t0);
    return report;
  } finally {
    await filling.catch(() => undefined);
    sandbox ??= await opening.catch(() => undefined);
    await sandbox?.close();
  }
}

/** The report's notice when the sandbox ran without namespaces (and why), else undefined. */
function isolationNotice(sandbox: Sandbox, lang: Lang): Message | undefined {
  if (sandbox.isolation !== 'permission-model' || !sandbox.fallbackReason) return undefined;
  return message('info', { id: 'sandbox.notice.permission-model', params: { reason: sandbox.fallbackReason } }, lang);
}

/** The report-level notice of a runtime error that stopped other parts than its own. */
function runtimeErrorNotice(evaluations: readonly PartEvaluation[], origin: RuntimeErrorOrigin | null, lang: Lang): Message | undefined {
  if (!origin) return undefined;
  const stopped = evaluations.filter((ev) => blockedBy(ev, origin)).map((ev) => ev.id);
  if (stopped.length === 0) return undefined;
  const parts = listRef(stopped.map((id): MessageRef => ({ id: `part.${id}.title` as MessageRef['id'] })));
  const params = { fn: origin.fn, where: `${origin.where.file}:${origin.where.line}`, inPart: origin.part ?? 'none', parts };
  return message('error', { id: 'report.notice.runtime-error', params }, lang);
}

/**
 * Fills the cases' expected outputs from the live reference (memoized per seed and case within the
 * process: a batch computes them once), yielding to the event loop after each computed case so the
 * sandbox's messages are handled in between.
 */
async function fillExpectedInTurns(reference: Reference, cases: GradingCase[], seed: number): Promise<void> {
  const { fillExpectedMemo } = await import('./reference/live');
  for (const c of cases) {
    if (c.family === 'rand-init' || c.expected) continue;
    fillExpectedMemo(reference, c, seed);
    await new Promise<void>((done) => setImmediate(done));
  }
}
