/**
 * Which walls a sandbox gets: OS namespaces through bubblewrap (`bwrap`) where they work, else
 * Node's permission model alone (hardened, see harness.ts), and why.
 *
 * Whether namespaces work is learnt once per grader process: by the first sandbox that starts a
 * child under bwrap (free: that child is needed anyway), or by probeIsolation() (one `bwrap`
 * run of `node --version`, a few ms), which the CLI uses before `--isolation strict` grades.
 */
import { execFile } from 'node:child_process';
import type { FallbackReason, IsolationMode, IsolationPolicy } from './protocol';
import { bwrapArgs, bwrapEnv } from './spawn-bwrap';
import { findExecutable } from './spawn-node';

export type { FallbackReason } from './protocol';

/** What a sandbox will try: namespaces (with the bwrap to run), or the permission model and why. */
export type IsolationPlan = { mode: 'namespaces'; bwrap: string } | { mode: 'permission-model'; reason: FallbackReason };

/** `--isolation strict` could not be honoured. */
export class IsolationUnavailableError extends Error {
  readonly code = 'isolation-unavailable';
  constructor(readonly reason: FallbackReason) {
    super(`OS namespaces (bubblewrap) are not available here (${reason}), and isolation "strict" refuses to grade without them`);
    this.name = 'IsolationUnavailableError';
  }
}

/** undefined: look for bwrap on PATH; null: behave as if it were missing (tests); else this file. */
let bwrapOverride: string | null | undefined;
/** What the first attempt (or probe) learnt; undefined until then. */
let learnt: { works: true } | { works: false; reason: FallbackReason } | undefined;

/** The `bwrap` executable to use, or null. */
export function findBwrap(): string | null {
  return bwrapOverride !== undefined ? bwrapOverride : findExecutable('bwrap');
}

/**
 * The plan for a new sandbox under `policy` (synchronous, no process started). `strict` plans
 * namespaces or throws IsolationUnavailableError when they are known not to work.
 */
export function planIsolation(policy: IsolationPolicy): IsolationPlan {
  const plan = namespacesPlan(policy);
  if (policy === 'strict' && plan.mode !== 'namespaces') throw new IsolationUnavailableError(plan.reason);
  return plan;
}

function namespacesPlan(policy: IsolationPolicy): IsolationPlan {
  if (policy === 'permission-model') return { mode: 'permission-model', reason: 'requested' };
  if (process.platform !== 'linux') return { mode: 'permission-model', reason: 'not-linux' };
  const bwrap = findBwrap();
  if (!bwrap) return { mode: 'permission-model', reason: 'bwrap-missing' };
  if (learnt && !learnt.works) return { mode: 'permission-model', reason: learnt.reason };
  return { mode: 'namespaces', bwrap };
}

/** Records what a child started under bwrap showed (ready: works; else why not). */
export function recordNamespaces(result: { works: true } | { works: false; reason: FallbackReason }): void {
  learnt = result;
}

/**
 * Why bwrap failed, from its stderr: user namespaces refused (the usual case: AppArmor, sysctl,
 * a container's seccomp) or something else.
 */
export function bwrapFailureReason(stderr: string): FallbackReason {
  return /uid map|user namespace|new namespace|Operation not permitted|Permission denied|No permissions|setting up/i.test(stderr) ? 'userns-unavailable' : 'bwrap-failed';
}

/**
 * Whether this process can run sandboxes with namespaces: answers from what an earlier sandbox
 * learnt, else runs `bwrap … node --version` once with the sandbox's own namespace flags.
 */
export async function probeIsolation(): Promise<{ mode: IsolationMode; reason?: FallbackReason }> {
  const plan = namespacesPlan('auto');
  if (plan.mode !== 'namespaces') return { mode: 'permission-model', reason: plan.reason };
  if (learnt?.works) return { mode: 'namespaces' };
  const args = bwrapArgs([process.execPath, '--version'], { readOnly: [], cwd: '/' });
  const stderr = await new Promise<string | null>((resolve) => {
    execFile(plan.bwrap, args, { env: bwrapEnv(), timeout: 10_000 }, (error, _stdout, err) => resolve(error ? String(err || error.message) : null));
  });
  recordNamespaces(stderr === null ? { works: true } : { works: false, reason: bwrapFailureReason(stderr) });
  return stderr === null ? { mode: 'namespaces' } : { mode: 'permission-model', reason: bwrapFailureReason(stderr) };
}

/**
 * Tests: use this bwrap (a path), behave as if there were none (null), or look on PATH again
 * (undefined); forgets what was learnt.
 */
export function setBwrapForTests(path: string | null | undefined): void {
  bwrapOverride = path;
  learnt = undefined;
}
