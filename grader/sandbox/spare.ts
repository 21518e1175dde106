/**
 * Sandbox children started ahead of their submission ("spares"), so that a child's start-up (Node
 * inside its namespaces, the runtime's modules, the walls: 50–100 ms on the 2-core development
 * machine) overlaps with the grader's own work instead of preceding a grade's first call. The CLI
 * starts one first thing in bin/ (prestart.ts), before it loads the engine; a batch keeps one per
 * job ready while the current submissions are graded (keepSpares).
 *
 * A spare is what openSandbox would make first: a fresh sandbox folder (empty bundle/ and src/),
 * a session secret, and a child started under the planned walls on the runtime. It has run
 * nothing: no init, no student code, only the boot script and the walls. openSandbox adopts a
 * spare only when it would have started the very same child (walls, runtime, limits: spareKey);
 * a spare is taken from the pool once, by one sandbox, and dies with it, so a child never serves
 * two submissions. Spares nobody takes are killed and their folders removed (discardSpares, or
 * at the grader's exit).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProtocolFault } from './channel';
import { startChild, type SandboxChild } from './child-process';
import { TAG_BYTES } from './codec';
import { onGraderExit } from './cleanup';
import type { IsolationPlan } from './isolation';
import type { ResolvedLimits } from './limits';
import type { Runtime } from './runtime';

/** What decides the child a sandbox starts: its walls, its runtime and its limits. */
export interface ChildPlan {
  plan: IsolationPlan;
  runtime: Runtime;
  limits: ResolvedLimits;
}

/** Where a child's output and faults go. */
export interface ChildHandlers {
  onOutput(chunk: Buffer, isStderr: boolean): void;
  onFault(fault: ProtocolFault): void;
}

/** A sandbox folder and its session secret (what every sandbox starts with). */
export interface SandboxFolder {
  /** Real path (the permission model compares real paths; os.tmpdir() may be a link, e.g. on macOS). */
  dir: string;
  secret: Uint8Array;
}

/** A started child waiting for its submission. */
export interface Spare extends SandboxFolder {
  readonly key: string;
  readonly child: SandboxChild;
  /** Hands the child's output (held so far, then as it comes) and faults to the adopting sandbox. */
  attach(handlers: ChildHandlers): void;
}

/** A new, empty sandbox folder (bundle/ and src/ inside) with a fresh secret. */
export function newSandboxFolder(): SandboxFolder {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'backprop-grader-sandbox-')));
  mkdirSync(join(dir, 'bundle'));
  mkdirSync(join(dir, 'src'));
  return { dir, secret: randomBytes(TAG_BYTES) };
}

/** The identity of the child a plan starts: two plans with one key start the same command. */
export function spareKey({ plan, runtime, limits }: ChildPlan): string {
  const { heapMb, memoryMb, outputCapBytes, maxReplyBytes, maxReplyBytesPerCall, maxRequestBytes } = limits;
  return JSON.stringify([plan.mode, plan.mode === 'namespaces' ? plan.bwrap : '', runtime.dir, heapMb, memoryMb, outputCapBytes, maxReplyBytes, maxReplyBytesPerCall, maxRequestBytes]);
}

interface PooledSpare extends Spare {
  discard(): void;
}

const pool: PooledSpare[] = [];
let wanted = 0;

/** Starts a spare for `plan` now and puts it in the pool; returns its sandbox folder. */
export function startSpare(plan: ChildPlan): string {
  const folder = newSandboxFolder();
  let handlers: ChildHandlers | undefined;
  let held: Array<[Buffer, boolean]> = [];
  let heldBytes = 0;
  let heldFault: ProtocolFault | undefined;
  const child = startChild({
    ...plan,
    bundleDir: join(folder.dir, 'bundle'),
    secret: folder.secret,
    onOutput(chunk, isStderr) {
      if (handlers) return handlers.onOutput(chunk, isStderr);
      // Only Node's own messages can come before adoption (no student code has run); kept within the cap.
      if (heldBytes < plan.limits.outputCapBytes) held.push([chunk, isStderr]);
      heldBytes += chunk.length;
    },
    onFault(fault) {
      if (handlers) handlers.onFault(fault);
      else heldFault ??= fault;
    },
  });
  const discard = (): void => {
    child.kill();
    rmSync(folder.dir, { recursive: true, force: true });
  };
  const unregister = onGraderExit(discard);
  pool.push({
    ...folder,
    key: spareKey(plan),
    child,
    attach(h) {
      unregister(); // the adopting sandbox cleans up from now on
      handlers = h;
      for (const [chunk, isStderr] of held) h.onOutput(chunk, isStderr);
      held = [];
      if (heldFault) h.onFault(heldFault);
    },
    discard() {
      unregister();
      discard();
    },
  });
  return folder.dir;
}

/**
 * A spare that starts exactly the child `plan` would, taken out of the pool (it is the caller's to
 * attach, and to kill with its sandbox), or undefined. When spares are kept (keepSpares), its
 * successor starts at once with the same plan.
 */
export function takeSpare(plan: ChildPlan): Spare | undefined {
  const key = spareKey(plan);
  let taken: PooledSpare | undefined;
  for (let i = 0; i < pool.length; i++) {
    const spare = pool[i];
    if (spare.key !== key) continue;
    pool.splice(i, 1);
    if (spare.child.alive) {
      taken = spare;
      break;
    }
    spare.discard(); // died waiting: never handed out
    i--;
  }
  while (pool.filter((s) => s.key === key).length < wanted) startSpare(plan);
  return taken;
}

/**
 * Keeps `count` spares ready for later sandboxes (a batch: one per job). The pool fills as
 * sandboxes open (each one's plan is the spares' plan); 0 stops refilling.
 */
export function keepSpares(count: number): void {
  wanted = Math.max(0, Math.floor(count));
}

/** Stops refilling and kills every spare nobody took, removing its folder. */
export function discardSpares(): void {
  wanted = 0;
  for (const spare of pool.splice(0)) spare.discard();
}

/** How many spares are waiting (tests). */
export function spareCount(): number {
  return pool.length;
}
