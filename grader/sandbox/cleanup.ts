/**
 * Last-resort cleanup: sandboxes still open when the grader exits (a bug, an uncaught error, a
 * `process.exit` elsewhere) kill their child and remove their folder in the 'exit' handler. One
 * listener for all sandboxes. A grader killed by a signal runs no handler: there the kernel ends
 * the children (bwrap --die-with-parent, or setpriv --pdeathsig in the fallback; spawn-node.ts).
 */

const open = new Set<() => void>();
let installed = false;

/** Registers a synchronous cleanup to run at exit; returns its unregister function. */
export function onGraderExit(cleanup: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', () => {
      for (const c of open) {
        try {
          c();
        } catch {
          // best effort: the next one still runs
        }
      }
    });
  }
  open.add(cleanup);
  return () => open.delete(cleanup);
}
