/**
 * Tamper evidence (issue 9): `release` writes a manifest of the grading files; `batch` flags a
 * student repository whose grading files or workflows differ (report field `tamper`, CSV column
 * `grader_files`, HTML badge) and still grades it with the instructor's grader.
 */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade } from '../grader/api';
import { runBatch } from '../grader/batch/run';
import { main } from '../grader/cli';
import { checkTamper, MANIFEST_FILE, readManifest, type ReleaseManifest } from '../grader/release/manifest';
import { installationManifest, writeRelease } from '../grader/release/release';
import type { GradeReport } from '../grader/report/types';
import { validateReport } from '../grader/report/validate';

const base = mkdtempSync(join(tmpdir(), 'bpg-tamper-'));
const release = join(base, 'release');
let manifest: ReleaseManifest;
afterAll(() => rmSync(base, { recursive: true, force: true }));

beforeAll(() => {
  writeRelease({ out: release });
  manifest = readManifest(join(release, MANIFEST_FILE));
});

/** A student repository: a copy of the release (as GitHub Classroom makes it). */
function repo(name: string, edit: (dir: string) => void = () => {}): string {
  const dir = join(base, 'class', name);
  cpSync(release, dir, { recursive: true });
  edit(dir);
  return dir;
}

describe('the release manifest', () => {
  it('lists the grading files with their hashes, and nothing a student is meant to edit', () => {
    const files = Object.keys(manifest.files);
    for (const f of ['grader/api.ts', 'grader/scoring.ts', 'grader/fixtures/sealed.json', 'bin/backprop-grader.js', 'scripts/build.mjs', 'package.json', 'package-lock.json', 'tsconfig.json', '.github/workflows/classroom.yml']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('exercises/') || f === 'README.md' || f === MANIFEST_FILE)).toEqual([]);
    expect(Object.values(manifest.files).every((h) => /^sha256:[0-9a-f]{64}$/.test(h))).toBe(true);
  });

  it('equals the manifest this installation computes without writing a release (the batch default)', () => {
    expect(installationManifest().files).toEqual(manifest.files);
  });
});

describe('checkTamper', () => {
  it('an untouched repository (even with CRLF line ends and an install) is unchanged; a bare exercises folder is absent', () => {
    const clean = repo('clean', (d) => {
      const f = join(d, 'grader', 'scoring.ts');
      writeFileSync(f, readFileSync(f, 'utf8').replace(/\n/g, '\r\n'));
      mkdirSync(join(d, 'node_modules', 'x'), { recursive: true });
      writeFileSync(join(d, 'node_modules', 'x', 'index.js'), 'junk');
    });
    expect(checkTamper(clean, manifest)).toEqual({ status: 'unchanged' });
    expect(checkTamper(join(clean, 'exercises'), manifest)).toEqual({ status: 'absent' });
  });

  it('names changed, missing and added grading files, and never follows a symbolic link', () => {
    const dir = repo('edited', (d) => {
      appendFileSync(join(d, 'grader', 'scoring.ts'), '\n// always full marks\n');
      unlinkSync(join(d, 'scripts', 'build.mjs'));
      writeFileSync(join(d, '.github', 'workflows', 'points.yml'), 'name: more points\n');
      unlinkSync(join(d, 'grader', 'fixtures', 'public.json'));
      symlinkSync('/dev/zero', join(d, 'grader', 'fixtures', 'public.json'));
    });
    expect(checkTamper(dir, manifest)).toEqual({
      status: 'changed',
      changed: ['grader/fixtures/public.json', 'grader/scoring.ts'],
      missing: ['scripts/build.mjs'],
      added: ['.github/workflows/points.yml'],
    });
  });
});

describe('batch flags tampered repositories and still grades them with the instructor\'s grader', () => {
  it('report field, CSV column and HTML badge', async () => {
    const folder = join(base, 'class');
    // The tampered repository's own grader would give full marks; its exercises are the untouched stubs.
    repo('mallory', (d) => {
      const f = join(d, 'grader', 'scoring.ts');
      writeFileSync(f, readFileSync(f, 'utf8').replace('return passed === verdicts.length ? maxScore : 0;', 'return maxScore;'));
    });
    const gradeOptions = { limits: { timeoutMs: 1500, heapMb: 64, outputCapBytes: 16 * 1024 } };
    const r = await runBatch({ folder, out: join(base, 'out'), grade, gradeOptions, seed: 5, jobs: 2, releaseManifest: manifest });
    expect(r.complete).toBe(true);
    const report = (id: string) => JSON.parse(readFileSync(join(base, 'out', 'reports', `${id}.json`), 'utf8')) as GradeReport;
    const mallory = report('mallory');
    expect(() => validateReport(mallory)).not.toThrow();
    expect(mallory.tamper).toEqual({ status: 'changed', changed: ['grader/scoring.ts'], missing: [], added: [] });
    // Graded by the instructor's engine: the stubs score 0 whatever the repository's scoring.ts says.
    expect(mallory.score).toBe(0);
    expect(report('clean').tamper).toEqual({ status: 'unchanged' });
    expect(report('edited').tamper?.status).toBe('changed');

    const csv = readFileSync(join(base, 'out', 'gradebook.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('id,total,feedforward-cost,regularized-cost,sigmoid-gradient,random-init,backprop-gradient,regularized-gradient,numerical-gradient,grader_files');
    expect(csv.slice(1).map((l) => [l.split(',')[0], l.split(',').at(-1)])).toEqual([
      ['clean', 'unchanged'],
      ['edited', 'changed'],
      ['mallory', 'changed'],
    ]);
    const html = readFileSync(join(base, 'out', 'report.html'), 'utf8');
    expect(html.match(/<span class="tamper" data-tamper="changed"/g)).toHaveLength(4); // gradebook row + details, for two repositories
    expect(html).toContain('title="This repository&#39;s grading files differ from the release (changed: grader/scoring.ts; missing: none; added: none).');
  }, 120_000);

  it('batch --release-manifest reads the release folder or its manifest; a bad one is a usage error', async () => {
    const folder = join(base, 'cli');
    mkdirSync(folder);
    cpSync(join(base, 'class', 'mallory'), join(folder, 'mallory'), { recursive: true });
    const io = (cwd: string) => {
      let stderr = '';
      return { io: { cwd, env: {}, stdout: () => {}, stderr: (t: string) => void (stderr += t), stdoutIsTTY: false }, err: () => stderr };
    };
    const a = io(base);
    expect(await main(['batch', folder, '--out', 'cli-out', '--seed', '3', '--no-config', '--progress', 'none', '--timeout', '1500', '--release-manifest', release], a.io)).toBe(0);
    expect(a.err()).toContain(`batch: comparing each repository's grading files with ${release}`);
    expect(readFileSync(join(base, 'cli-out', 'gradebook.csv'), 'utf8').split('\n')[1]).toMatch(/^mallory,0,.*,changed$/);
    const b = io(base);
    expect(await main(['batch', folder, '--out', 'cli-out-2', '--no-config', '--release-manifest', join(base, 'nowhere.json')], b.io)).toBe(2);
    expect(b.err()).toContain('--release-manifest: cannot read the release manifest');
  }, 120_000);
});
