/**
 * The sandbox child's command line and process: Node under its permission model (the inner wall
 * in every mode, the only one in the fallback), wrapped so the kernel enforces the limits Node
 * cannot (a data-segment rlimit, no core files, death with the grader), and spawned with the
 * channel's two pipes at fds 3 and 4.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { REPLY_FD, REQUEST_FD } from './codec';

/** Node ≥ 22.13 / 23.5 calls the permission model `--permission`; Node 20 `--experimental-permission`. */
export function permissionFlag(version = process.versions.node): string {
  const [major, minor] = version.split('.').map(Number);
  const stable = major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 13);
  return stable ? '--permission' : '--experimental-permission';
}

const found = new Map<string, string | null>();

/** An executable on PATH (absolute path), or null; looked up once per process and name. */
export function findExecutable(name: string): string | null {
  const known = found.get(name);
  if (known !== undefined) return known;
  let path: string | null = null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      path = join(dir, name);
      break;
    } catch {
      // not here
    }
  }
  found.set(name, path);
  return path;
}

/** What the child's Node needs: the folders it may read, its heap, and the boot script with its argument. */
export interface NodeCommandSpec {
  /** Folders readable under the permission model (absolute, real): the runtime and the bundle. */
  readable: string[];
  /** V8 old-space limit (MB). */
  heapMb: number;
  /** The boot script (boot.ts, built into the runtime) and the harness URL it preloads. */
  boot: string;
  harnessUrl: string;
  /** The walls the harness builds at boot (walls.ts): the child's isolation mode. */
  isolation: 'namespaces' | 'permission-model';
}

/** The Node command line of the sandbox child (the same inside bwrap and out). */
export function nodeCommand(spec: NodeCommandSpec): string[] {
  return [
    process.execPath,
    permissionFlag(),
    ...spec.readable.map((dir) => `--allow-fs-read=${dir}`),
    `--max-old-space-size=${spec.heapMb}`,
    // Only the student's chunks carry source maps (small); the runtime has none to parse.
    '--enable-source-maps',
    '--disable-warning=ExperimentalWarning',
    spec.boot,
    spec.harnessUrl,
    spec.isolation,
  ];
}

/**
 * `command` run with kernel limits, through /bin/sh (POSIX `ulimit`; ~1 ms):
 * - RLIMIT_DATA (`ulimit -d`): counts every private writable mapping (the V8 heap, ArrayBuffers,
 *   Buffers, WebAssembly pages actually committed), which --max-old-space-size does not.
 *   Measured with Node 20: RLIMIT_AS would break WebAssembly.Memory (V8 reserves its large guard
 *   regions as address space), RLIMIT_DATA leaves it working, inside bwrap too.
 * - RLIMIT_CORE 0: a crash never writes a core file.
 * - with `pdeathsig`, util-linux `setpriv --pdeathsig KILL` (when installed): the kernel kills the
 *   child if the grader dies, even by SIGKILL (bwrap's --die-with-parent does this for namespaces).
 * Not on Windows (no sh): the command is returned unchanged.
 */
export function withKernelLimits(command: string[], dataMb: number, pdeathsig: boolean): string[] {
  if (process.platform === 'win32') return command;
  const setpriv = pdeathsig ? findExecutable('setpriv') : null;
  const wrapped = setpriv ? [setpriv, '--pdeathsig', 'KILL', '--', ...command] : command;
  // $0 is the first argument after the script; best effort: a lower existing limit is kept.
  return ['/bin/sh', '-c', 'ulimit -d "$0" 2>/dev/null; ulimit -c 0 2>/dev/null; exec "$@"', String(dataMb * 1024), ...wrapped];
}

/**
 * Whether the fallback child gets its own session and process group (setsid): only where the
 * kernel still ends it with the grader (setpriv's pdeathsig), since a child outside the grader's
 * group no longer gets the terminal's Ctrl-C. Without it, a signal to "process group 0" from
 * inside the child (kill(0, sig), e.g. through an unspawned ChildProcess handle) reaches the
 * grader and everything it started.
 */
export function ownProcessGroup(): boolean {
  return process.platform === 'linux' && findExecutable('setpriv') !== null;
}

/**
 * Spawns the sandbox child: stdin closed, stdout and stderr captured, fd 3 the grader's packets,
 * fd 4 the child's. The environment is only `env` (the grader's, with its CI tokens, is not the
 * submission's business). `detached`: in a new session and process group of its own.
 */
export function spawnSandboxProcess(command: string[], cwd: string, env: NodeJS.ProcessEnv, detached = false): ChildProcess {
  const stdio: Array<'ignore' | 'pipe'> = ['ignore', 'pipe', 'pipe'];
  for (let fd = stdio.length; fd <= Math.max(REQUEST_FD, REPLY_FD); fd++) stdio.push('pipe');
  return spawn(command[0], command.slice(1), { cwd, env, stdio, detached });
}
