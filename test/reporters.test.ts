/**
 * The report schema and the text and JSON reporters, on hand-built reports (no engine).
 */
import { describe, expect, it } from 'vitest';
import { PART_IDS } from '../grader/parts/ids';
import schema from '../grader/report/schema.json';
import { ReportValidationError, validateReport } from '../grader/report/validate';
import { escapeMarkdown, sanitizeText } from '../grader/reporters/escape';
import { renderJson } from '../grader/reporters/json';
import { formatNumber, renderText } from '../grader/reporters/text';
import { forgedReport, sampleReport } from './helpers/sampleReport';

/** Paths and durations vary between machines and runs. */
function normalise(text: string): string {
  return text.replace(/\/tmp\/submission/g, '<submission>').replace(/graded in [\d.]+ s/g, 'graded in <t> s');
}

describe('GradeReport schema', () => {
  it('part ids are exactly PART_IDS', () => {
    expect(schema.definitions.PartId.enum).toEqual([...PART_IDS]);
  });

  it('accepts the sample report (every optional field present somewhere)', () => {
    expect(() => validateReport(sampleReport())).not.toThrow();
    expect(() => validateReport(forgedReport())).not.toThrow();
  });

  it('accepts a minimal report (optional fields absent)', () => {
    const r = sampleReport();
    delete r.submissionOutput;
    for (const p of r.parts) {
      delete p.location;
      p.cases = [];
    }
    expect(() => validateReport(r)).not.toThrow();
  });

  it.each([
    ['an unknown top-level key', (r: any) => (r.extra = 1), '(root): must NOT have additional properties "extra"'],
    ['an unknown part id', (r: any) => (r.parts[0].id = 'cost'), '/parts/0/id: must be equal to one of the allowed values (feedforward-cost, regularized-cost, sigmoid-gradient, random-init, backprop-gradient, regularized-gradient, numerical-gradient)'],
    ['a bad status', (r: any) => (r.parts[1].status = 'skipped'), '/parts/1/status: must be equal to one of the allowed values (passed, failed, errored)'],
    ['a missing durationMs', (r: any) => delete r.parts[2].durationMs, "/parts/2: must have required property 'durationMs'"],
    ['an unknown case key', (r: any) => (r.parts[1].cases[0].expected = 1), '/parts/1/cases/0: must NOT have additional properties "expected"'],
    ['a 0-based Octave row', (r: any) => (r.parts[3].cases[0].worst.row = 0), '/parts/3/cases/0/worst/row: must be >= 1'],
    ['a diagnosis without a hint', (r: any) => delete r.parts[1].diagnoses[0].hint, "/parts/1/diagnoses/0: must have required property 'hint'"],
    ['a wrong schemaVersion', (r: any) => (r.schemaVersion = 1), '/schemaVersion: must be equal to constant'],
    ['a non-ISO startedAt', (r: any) => (r.startedAt = 'yesterday'), '/startedAt: must match pattern'],
  ])('rejects %s, listing the error', (_name, mutate, message) => {
    const r = sampleReport();
    mutate(r);
    let error: unknown;
    try {
      validateReport(r);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ReportValidationError);
    expect((error as Error).message).toContain(message);
  });
});

describe('text reporter', () => {
  it('renders the sample report in full with --verbose (colour off)', () => {
    expect(normalise(renderText(sampleReport(), { verbose: true }))).toMatchInlineSnapshot(`
      "backprop-grader 0.1.0  <submission>
      seed 12345 (rerun with: npm run grade -- --seed 12345) · preset full · reference solutions ·
        isolation namespaces

      ✓ 25/25  Feedforward and cost function [feedforward-cost]
          Public case and 3 hidden cases passed.
      ✗  0/10  Regularized cost function [regularized-cost]
          at exercises/nnCostFunction.ts:42:3
          nnCostFunction returned the wrong cost J at λ = 1.5.
          ✗ public λ=1.5: J differs from the expected value
            worst element at index 1: expected 0.3837698591, got 0.2876291652 (abs error 9.61e-2, rel error 2.51e-1)
            diff (- expected, + yours):
              - 0.38377 
              + 0.28763 
          ✗ hidden #2 (hidden case): J differs from the expected value
            worst element at index 1: expected 1.25, got 1 (abs error 2.50e-1, rel error 2.00e-1)
          Likely cause: The regularization term is missing from J.
            Hint: Revisit the regularized cost function (Part 2 of nnCostFunction).
      ✓   5/5  Sigmoid gradient [sigmoid-gradient]
      ✗  0/35  Neural network gradient (backpropagation) [backprop-gradient]
          at exercises/nnCostFunction.ts:42
          ✗ public λ=0: grad differs
            worst element at (3,2), unrolled index 7: expected -0.0093, got NaN (abs error NaN, rel error NaN)
      ✓ 10/10  Regularized gradient [regularized-gradient]
      !  0/10  Numerical gradient (gradient checking) [numerical-gradient]
          at exercises/computeNumericalGradient.ts:9
          computeNumericalGradient threw: TypeError: x is not a function
          at computeNumericalGradient (exercises/computeNumericalGradient.ts:12:5)
      ✗   0/5  Random initialization [random-init]
          at exercises/randInitializeWeights.ts:5
          not implemented yet

      Your code printed (captured while grading):
        │ debug: J = 0.28
        │ \\x1b[2J cleared?

      Score 40/100  (3 of 7 parts passed, graded in <t> s)
      "
    `);
  });

  it('lists cases that failed exactly like the part message by name only', () => {
    const r = sampleReport();
    const part = r.parts[6];
    part.cases = ['public', 'hidden #1', 'hidden #2'].map((name) => ({ name, hidden: name !== 'public', passed: false, message: 'not implemented yet', durationMs: 1 }));
    part.messages[0].id = 'call.not-implemented'; // what the engine says for a stub
    expect(renderText(r, { verbose: true })).toContain('    not implemented yet\n    ✗ failed the same way: public · hidden #1 · hidden #2\n');
    // Concise: the message once, then how many cases it stands for.
    expect(renderText(r)).toContain('✗ Random initialization [random-init]  exercises/randInitializeWeights.ts:5\n    not implemented yet\n    (all 3 cases failed this way)\n');
  });

  it('colour only when asked; the plain text is the same', () => {
    const plain = renderText(sampleReport(), { color: false });
    const coloured = renderText(sampleReport(), { color: true });
    expect(plain).not.toContain('\u001b[');
    expect(coloured).toContain('\u001b[32m✓');
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it('student text cannot inject terminal escapes; multi-line messages stay indented', () => {
    const r = sampleReport();
    r.parts[6].messages = [{ level: 'error', id: 'report.part.cases-failed', text: 'line one\n\u001b[2Jline two\r\nline three\rover' }];
    const text = renderText(r, { verbose: true });
    expect(text).toContain('    line one\n    \\x1b[2Jline two\n    line three\\x0dover\n');
    expect(text.replace(/\n/g, '')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    const concise = renderText(r);
    expect(concise).toContain('    line one\n    \\x1b[2Jline two\n    line three\\x0dover\n');
    expect(concise.replace(/\n/g, '')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it('caps the captured output', () => {
    const r = sampleReport();
    r.submissionOutput = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');
    const text = renderText(r, { maxOutputLines: 5 });
    expect(text).toContain('  │ line 5\n  … 25 more lines\n');
    expect(text).not.toContain('line 6\n');
    expect(renderText(r, { showSubmissionOutput: false })).not.toContain('Your code printed');
  });

  it('formats numbers so a difference stays visible', () => {
    expect([0, 1, -0.0093, 0.38376985909092365, 1e-12, 123456789, NaN, Infinity, -Infinity].map(formatNumber)).toEqual([
      '0',
      '1',
      '-0.0093',
      '0.3837698591',
      '1e-12',
      '1.234568e+8',
      'NaN',
      'Infinity',
      '-Infinity',
    ]);
  });
});

describe('json reporter', () => {
  it('writes the report itself, validated, pretty or compact; NaN becomes null', () => {
    const pretty = renderJson(sampleReport());
    expect(pretty.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(pretty);
    expect(parsed.parts[3].cases[0].worst.got).toBeNull();
    expect(parsed.score).toBe(40);
    const compact = renderJson(sampleReport(), { pretty: false });
    expect(compact.split('\n')).toHaveLength(2);
    expect(JSON.parse(compact)).toEqual(parsed);
  });

  it('refuses to write an invalid report', () => {
    const r = sampleReport() as any;
    r.parts[0].status = 'ok';
    expect(() => renderJson(r)).toThrow(ReportValidationError);
  });
});

describe('escaping helpers', () => {
  it('sanitizeText keeps newlines and tabs, shows other control characters', () => {
    expect(sanitizeText('a\tb\nc\u0007d\u001be\u2028')).toBe('a\tb\nc\\x07d\\x1be\\u2028');
  });

  it('escapeMarkdown neutralises Markdown and HTML', () => {
    expect(escapeMarkdown("<b>x</b> | *y* [l](u) it's\nz")).toBe("&lt;b&gt;x&lt;/b&gt; \\| \\*y\\* \\[l\\]\\(u\\) it&#39;s<br>z");
  });
});

describe('pre-generated schema validators (dist/schema-<name>.cjs, scripts/schema-validators.mjs)', () => {
  // The built CLI validates with ajv's standalone code instead of compiling; it must accept and
  // reject exactly what the compiled schemas do, with the same error objects.
  it('agree with ajv compiling the same schemas, errors included', async () => {
    const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
    const { createRequire } = await import('node:module');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { AJV_OPTIONS, schemaValidator } = await import('../grader/report/validate');
    const gen = await import('../scripts/schema-validators.mjs');
    expect(gen.AJV_OPTIONS).toEqual(AJV_OPTIONS);
    const dir = mkdtempSync(join(tmpdir(), 'bg-schemas-'));
    try {
      const sources = await gen.schemaValidatorSources();
      expect(Object.keys(sources).sort()).toEqual(['schema-config.cjs', 'schema-public.cjs', 'schema-report.cjs', 'schema-sealed.cjs']);
      const req = createRequire(import.meta.url);
      const load = (name: string) => {
        writeFileSync(join(dir, `schema-${name}.cjs`), sources[`schema-${name}.cjs`]);
        return req(join(dir, `schema-${name}.cjs`)) as ((d: unknown) => boolean) & { errors?: unknown };
      };
      const root = join(import.meta.dirname, '..');
      const samples: Record<string, unknown[]> = {
        report: [
          JSON.parse(JSON.stringify(sampleReport())),
          { ...JSON.parse(JSON.stringify(sampleReport())), extra: 1, schemaVersion: 1 },
          { ...JSON.parse(JSON.stringify(forgedReport())), parts: [{ id: 'cost', status: 'skipped' }] },
          42,
        ],
        config: [{}, { preset: 'coursera', tolerance: { rtol: 1e-5 } }, { tolerence: 1, preset: 'x', points: { cost: 'a' } }, []],
        public: [JSON.parse(readFileSync(join(root, 'grader/fixtures/public.json'), 'utf8')), { format: 'backprop-grader/public', version: 1, cases: {} }],
        sealed: [JSON.parse(readFileSync(join(root, 'grader/fixtures/sealed.json'), 'utf8')), { format: 'backprop-grader/sealed', version: 1, pool: { 'nn-unreg': [{ J: 'not a seal' }] } }],
      };
      for (const [name, file] of Object.entries(gen.SCHEMA_FILES)) {
        const generated = load(name);
        const compiled = schemaValidator(name as keyof typeof gen.SCHEMA_FILES, () => JSON.parse(readFileSync(join(root, file), 'utf8')));
        for (const data of samples[name]) {
          expect(generated(data)).toBe(compiled(data));
          expect(generated.errors ?? null).toEqual(compiled.errors ?? null);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
