/**
 * A cold CLI process grading a correct submission, as a student runs it: `backprop-grader grade DIR`
 * (text report), against octave-cli computing the same five Coursera cases (bench/octave/coursera-cases.m,
 * the whole octave-cli process timed), every round running each command once in turn so the load of
 * the moment hits them alike. Median of 9 rounds. Prints:
 *   grade octave-coursera median_s=<..>                      # the baseline (or why there is none)
 *   grade coursera median_s=<..> ratio_to_octave=<..> target=1.7 <met|missed>
 *   grade full median_s=<..> ratio_to_octave=<..> target=2 <met|missed>
 *   grade isolation overhead_ms=<..> ratio=<..> target_ms=10 <met|missed>   # namespaces − permission model
 *   grade sealed median_s=<..> ratio_to_live_full=<..> target_s=2 <met|missed>
 *   grade launchers npm_run_extra_s=<..> npx_extra_s=<..> npx_ratio_to_bin=<..>   # what the way of starting it costs
 * each followed by a detail line (min, machine load: other work on the 2 cores inflates every number).
 * The launchers line times the same coursera grade through `npm run -s grade --` (this repository's
 * script) and `npx backprop-grader` (a course project with the grader installed in node_modules;
 * npx finds the local bin, nothing is downloaded), against the bin itself, in the same rounds.
 * The sealed grade is the full preset as a student release grades it (public fixtures and sealed
 * hidden cases: ~22 scrypt hashes per grade, issue 9).
 *   npm run bench -- grade
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = 9;
const SUBMISSION = join(root, 'test', 'fixtures', 'submissions', 'correct-vectorized');
const OCTAVE_SCRIPT = join(root, 'bench', 'octave', 'coursera-cases.m');
/** The five lines coursera-cases.m prints, one per Coursera part. */
const OCTAVE_PARTS = ['feedforward-cost', 'regularized-cost', 'sigmoid-gradient', 'backprop-gradient', 'regularized-gradient'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Seconds for one cold `grade` process; throws unless it scored 100. */
function gradeOnce(preset: string, seed: number, extra: string[] = []): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin', 'backprop-grader.js'), 'grade', SUBMISSION, '--preset', preset, '--seed', String(seed), ...extra], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' },
  });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0 || !/Score 100\/100/.test(r.stdout)) throw new Error(`grade ${preset} ${extra.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return s;
}

/** The isolation a default grade gets on this machine (`namespaces` when bubblewrap works). */
function defaultIsolation(): string {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'backprop-grader.js'), 'grade', SUBMISSION, '--preset', 'coursera', '--format', 'json'], {
    cwd: root,
    encoding: 'utf8',
  });
  return (JSON.parse(r.stdout) as { isolation: string }).isolation;
}

/** Seconds for one octave-cli process computing the five cases, or why there is none. */
function octaveOnce(): number | string {
  const t0 = performance.now();
  const r = spawnSync('octave-cli', ['--no-init-file', '--quiet', '--no-window-system', OCTAVE_SCRIPT], { cwd: root, encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  if (r.error) return 'octave-cli not installed (Debian: apt-get install octave); no Octave baseline';
  const printed = (r.stdout ?? '').split('\n').map((line) => line.split(' ')[0]);
  // Octave 8 in a container may print "ignoring const execution_exception& while preparing to exit"
  // on stderr after a clean run; the exit status and the five results decide.
  if (r.status !== 0 || !OCTAVE_PARTS.every((part) => printed.includes(part))) return `octave-cli failed (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n')[0]}`;
  return s;
}

/**
 * A course project with the grader installed (node_modules/backprop-grader linked to this
 * checkout, its bin in node_modules/.bin), as `npm install backprop-grader` leaves it.
 */
function courseProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bg-npx-bench-'));
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'course', private: true }));
  symlinkSync(root, join(dir, 'node_modules', 'backprop-grader'), 'dir');
  symlinkSync(join('..', 'backprop-grader', 'bin', 'backprop-grader.js'), join(dir, 'node_modules', '.bin', 'backprop-grader'));
  return dir;
}

/** Seconds for one coursera grade started by `command args` in `cwd`; throws unless it scored 100. */
function launchOnce(command: string, args: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(command, [...args, SUBMISSION, '--preset', 'coursera', '--seed', '1'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' } });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0 || !/Score 100\/100/.test(r.stdout)) throw new Error(`${command} ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return s;
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'missed';
}

function detail(label: string, times: number[]): string {
  return `  (${label}: min_s=${Math.min(...times).toFixed(3)} runs=${times.length} load1=${loadavg()[0].toFixed(2)})`;
}

export async function run(): Promise<void> {
  // Always rebuild: a stale dist/ would time yesterday's CLI.
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0 || !existsSync(join(root, 'dist', 'cli.js'))) throw new Error('build failed');

  const isolation = defaultIsolation();
  const octaveProbe = octaveOnce(); // also warms the OS file cache, as the grades below do
  const times: Record<'octave' | 'coursera' | 'full' | 'permission' | 'sealed' | 'npmRun' | 'npx', number[]> = {
    octave: [],
    coursera: [],
    full: [],
    permission: [],
    sealed: [],
    npmRun: [],
    npx: [],
  };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const course = courseProject();
  const sealed = ['--reference', 'sealed'];
  gradeOnce('coursera', 1);
  gradeOnce('coursera', 1, ['--isolation', 'permission-model']);
  gradeOnce('full', 1);
  gradeOnce('full', 1, sealed);
  for (let i = 0; i < ROUNDS; i++) {
    if (typeof octaveProbe === 'number') {
      const s = octaveOnce();
      if (typeof s === 'string') throw new Error(s);
      times.octave.push(s);
    }
    times.coursera.push(gradeOnce('coursera', i + 1));
    times.permission.push(gradeOnce('coursera', i + 1, ['--isolation', 'permission-model']));
    times.full.push(gradeOnce('full', i + 1));
    times.sealed.push(gradeOnce('full', i + 1, sealed));
    times.npmRun.push(launchOnce(npm, ['run', '-s', 'grade', '--'], root));
    times.npx.push(launchOnce(npx, ['backprop-grader', 'grade'], course));
  }
  rmSync(course, { recursive: true, force: true });

  const octave = typeof octaveProbe === 'number' ? median(times.octave) : undefined;
  if (octave === undefined) console.log(`grade octave-coursera: ${octaveProbe}`);
  else console.log(`grade octave-coursera median_s=${octave.toFixed(3)}   # octave-cli computing the five Coursera cases, whole process`);
  for (const [preset, target] of [['coursera', 1.7], ['full', 2]] as const) {
    const m = median(times[preset]);
    const ratio = octave === undefined ? '' : ` ratio_to_octave=${(m / octave).toFixed(2)} target=${target} ${verdict(m / octave <= target)}`;
    console.log(`grade ${preset} median_s=${m.toFixed(3)}${ratio}`);
    console.log(detail(`${preset}, isolation ${isolation}`, times[preset]));
  }
  // The walls' cost: the same coursera grade with the permission model only, in the same rounds.
  const walls = median(times.coursera.map((s, i) => s - times.permission[i])) * 1000;
  console.log(
    `grade isolation overhead_ms=${walls.toFixed(0)} ratio=${(median(times.coursera) / median(times.permission)).toFixed(2)} target_ms=10 ${verdict(walls <= 10)}` +
      `   # coursera with ${isolation} − with the permission model only (median_s=${median(times.permission).toFixed(3)}), per round`,
  );
  const sealedMedian = median(times.sealed);
  console.log(
    `grade sealed median_s=${sealedMedian.toFixed(3)} ratio_to_live_full=${(sealedMedian / median(times.full)).toFixed(2)} target_s=2 ${verdict(sealedMedian <= 2)}`,
  );
  console.log(detail('sealed, full preset', times.sealed));
  const bin = median(times.coursera);
  console.log(
    `grade launchers npm_run_extra_s=${(median(times.npmRun) - bin).toFixed(3)} npx_extra_s=${(median(times.npx) - bin).toFixed(3)} ` +
      `npx_ratio_to_bin=${(median(times.npx) / bin).toFixed(2)}   # the coursera grade via npm run -s grade / npx backprop-grader, minus node bin/backprop-grader.js`,
  );
}
