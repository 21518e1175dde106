/**
 * The npm package, as an instructor installs it: `npm pack` (prepack builds dist/ and types/), the
 * tarball's contents (an allowlist: no reference solutions, tests, fixtures or benchmarks), then an
 * install into a temporary folder (from the npm cache when it can) that grades a submission with
 * its CLI, imports `grade()` as a library, and type-checks a consumer against its declarations.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../grader/paths';
import { fingerprintSolutions, scanRelease } from '../grader/release/scan';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'submissions', 'correct-vectorized');

describe('the packed tarball, installed', () => {
  let dir: string;
  let tarball: string;
  let files: string[];
  let packed: { size: number; unpackedSize: number; entryCount: number };
  let installed: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpg-pack-'));
    const json = execFileSync(NPM, ['pack', '--json', '--pack-destination', dir], { cwd: PACKAGE_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [info] = JSON.parse(json.slice(json.indexOf('['))) as { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] }[];
    tarball = join(dir, info.filename);
    files = info.files.map((f) => f.path).sort();
    packed = info;
    const consumer = join(dir, 'consumer');
    execFileSync('mkdir', ['-p', consumer]);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    execFileSync(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: consumer, stdio: 'pipe' });
    installed = join(consumer, 'node_modules', 'backprop-grader');
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ships an allowlist: the CLI, dist/ (built), types, the grader and kit sources; never the reference, tests or benchmarks', () => {
    for (const f of ['bin/backprop-grader.js', 'dist/cli.js', 'dist/index.js', 'types/index.d.ts', 'grader/api.ts', 'grader/fixtures/public.json', 'grader/fixtures/sealed.json', 'exercises/lib/matrix.ts', 'exercises/nnCostFunction.ts', 'gradescope/run_autograder', 'docs/gradescope.md', 'docs/classroom.md', 'package.json', 'README.md', 'LICENSE']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /^(solutions|test|bench|scripts|node_modules)\//.test(f) || /(^|\/)reference\.js$|\.map$|(^|\/)correct-/.test(f))).toEqual([]);
    // No data sets, no fixture submissions: the CLI and sources are a few hundred kB, the sealed
    // hidden-case pool (grader/fixtures/sealed.json, ≥ 200 cases per family) about 1 MB more.
    expect(packed.size).toBeLessThan(2 * 1024 * 1024);
    expect(packed.entryCount).toBeLessThan(350); // sources, docs and dist chunks; fixture submissions would add hundreds
  });

  it('contains no solution code (the release leak scan over the installed package)', () => {
    const fp = fingerprintSolutions(join(PACKAGE_ROOT, 'solutions'), [join(PACKAGE_ROOT, 'exercises')]);
    const scan = scanRelease(installed, fp);
    expect(scan.leaks).toEqual([]);
    expect(scan.forbidden).toEqual([]);
  });

  it('its CLI grades a submission (from the stored fixtures: the package has no reference solutions)', () => {
    const bin = join(installed, '..', '.bin', 'backprop-grader');
    const r = spawnSync(bin, ['grade', FIXTURE, '--format', 'json', '--seed', '1', '--no-config'], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ score: 100, maxScore: 100, reference: 'sealed' });
    const help = spawnSync(bin, ['--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('backprop-grader <command>');
  });

  it('is a library: grade() and the report helpers, by the package name', () => {
    const script = join(dir, 'consumer', 'use.mjs');
    writeFileSync(
      script,
      "import { grade, validateReport, renderText, PART_IDS } from 'backprop-grader';\n" +
        `const r = await grade({ submission: ${JSON.stringify(FIXTURE)}, seed: 2 });\n` +
        'validateReport(r);\n' +
        "process.stdout.write(JSON.stringify({ score: r.score, parts: PART_IDS.length, text: renderText(r).includes('100/100') }));\n",
    );
    expect(JSON.parse(execFileSync(process.execPath, [script], { cwd: join(dir, 'consumer'), encoding: 'utf8' }))).toEqual({ score: 100, parts: 7, text: true });
  });

  it.each(['bundler', 'nodenext'])('its declarations type-check a consumer (moduleResolution %s)', (resolution) => {
    const consumer = join(dir, 'consumer');
    writeFileSync(
      join(consumer, 'use.ts'),
      "import { grade, type GradeReport, type PartResult, type MessageId } from 'backprop-grader';\n" +
        'const id: MessageId = "call.not-implemented";\n' +
        'export async function total(dir: string): Promise<number> {\n' +
        '  const r: GradeReport = await grade({ submission: dir, seed: 1, lang: "zh-CN" });\n' +
        '  const failed: PartResult[] = r.parts.filter((p) => p.status !== "passed");\n' +
        '  return r.score + failed.length + id.length;\n' +
        '}\n',
    );
    writeFileSync(
      join(consumer, 'bad.ts'),
      "import { grade, type MessageId } from 'backprop-grader';\nexport const x: number = grade({ submission: 1 });\nexport const id: MessageId = 'no.such.message';\n",
    );
    const module = resolution === 'bundler' ? 'esnext' : 'nodenext';
    // The declarations themselves are checked once (skipLibCheck false is slow: it checks @types/node too).
    const libCheck = resolution === 'bundler' ? 'false' : 'true';
    const tsc = (file: string) =>
      spawnSync(process.execPath, [join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--skipLibCheck', libCheck, '--types', 'node', '--typeRoots', join(PACKAGE_ROOT, 'node_modules', '@types'), '--module', module, '--moduleResolution', resolution, '--target', 'es2022', file], { cwd: consumer, encoding: 'utf8' });
    const ok = tsc('use.ts');
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    // The types are real: a wrong call fails to compile.
    const bad = tsc('bad.ts');
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/bad\.ts\(2,\d+\): error TS2/);
    expect(bad.stdout).toMatch(/bad\.ts\(3,\d+\): error TS2322: Type '"no\.such\.message"' is not assignable to type/);
  });
});
