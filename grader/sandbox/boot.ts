/**
 * The boot script of the sandbox's child process, as source text (written into the prebuilt
 * runtime's folder, runtime.ts). It exists before the submission's bundle does, so the child can
 * start, and load the harness and ml-matrix (the URL in argv[2]), while esbuild is still bundling
 * the student's files.
 *
 * Why a separate, tiny script: it captures the reply channel (process.send) and the session secret
 * before anything else runs, then imports the harness, which imports student modules lazily. Each
 * reply is tagged with `<secret>:<call id>`; the secret comes from the environment, is deleted from
 * it at once and never travels over the channel to the child, so student code that listens to the
 * requests, prints or calls process.send itself cannot forge a reply the grader accepts.
 */
export const SECRET_ENV = 'BPG_SANDBOX_SECRET';

export const BOOT_SOURCE = `// backprop-grader sandbox boot (generated; see grader/sandbox/boot.ts)
const secret = process.env.${SECRET_ENV} || '';
delete process.env.${SECRET_ENV};
const send = process.send.bind(process);
const on = process.on.bind(process);
let harness = null;
let queue = Promise.resolve();
// Preload the runtime's harness while the grader bundles the submission; the 'init' message's
// entry is the same URL, so it gets this same module instance. No student code runs before init.
if (process.argv[2]) import(process.argv[2]).catch(() => {});
// A student's stray async rejection must not kill the process between calls.
on('unhandledRejection', () => {});
const describe = (e) => { try { return String(e && e.stack || e); } catch { return 'unknown error'; } };
on('message', (msg) => {
  if (msg === null || typeof msg !== 'object') return;
  if (msg.type === 'init' && harness === null) {
    harness = import(msg.entry).then((m) => m.createHarness(msg.config));
    harness.catch(() => {});
    return;
  }
  if (msg.type !== 'call' || harness === null) return;
  const id = msg.id;
  const request = msg.request;
  queue = queue.then(async () => {
    let outcome;
    try {
      outcome = await (await harness).call(request);
    } catch (e) {
      outcome = { ok: false, error: { code: 'crashed', message: 'the sandbox harness failed: ' + describe(e) }, durationMs: 0 };
    }
    try {
      send({ type: 'reply', id, tag: secret + ':' + id, outcome });
    } catch (e) {
      send({ type: 'reply', id, tag: secret + ':' + id, outcome: { ok: false, error: { code: 'crashed', message: 'the result could not be sent back: ' + describe(e) }, durationMs: 0 } });
    }
  });
});
send({ type: 'ready', tag: secret + ':ready' });
`;
