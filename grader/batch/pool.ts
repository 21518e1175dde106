/**
 * A small async concurrency pool. Each grade() already runs the submission in its own sandbox
 * child process, so the grader's thread mostly waits on I/O (bundling, IPC) and an async pool of
 * N in-flight grades keeps N cores busy without the start-up cost of worker threads.
 */

/**
 * Runs `task` over `items` with at most `concurrency` in flight, in item order of start.
 * `shouldStart(i)` is asked before each start; once it returns false no further item starts
 * (in-flight ones finish). Resolves when every started task has settled; a task's rejection is
 * the caller's to prevent (wrap it), and is rethrown here only after the others settle.
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
  shouldStart: (index: number) => boolean = () => true,
): Promise<void> {
  let next = 0;
  let stopped = false;
  const errors: unknown[] = [];
  const runner = async () => {
    for (;;) {
      if (stopped || next >= items.length) return;
      const i = next;
      if (!shouldStart(i)) {
        stopped = true;
        return;
      }
      next++;
      try {
        await task(items[i], i);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  const n = Math.max(1, Math.min(Math.floor(concurrency) || 1, items.length));
  await Promise.all(Array.from({ length: n }, runner));
  if (errors.length > 0) throw errors[0];
}
