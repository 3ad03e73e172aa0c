// Child-process entry for js-component-builder.ts: runs componentize-js once and exits.
// componentize takes 5-25 s and ~800 MB, so it never runs in the studio's own process.
// Plain .mjs (not TypeScript) so the child needs no loader.
//
// Protocol: the parent sends one ComponentizeJob
//   { sourcePath, witPath, worldName?, outPath }
// and gets back one message:
//   { ok: true, bytes } | { ok: false, message }
// The component is written to outPath; the parent moves it into place. Started by Node's
// fork (IPC; the child exits after replying) or as an Electron utility process (its
// parentPort; the parent stops it on the reply: see runtime/builders/node-child.ts).

import { writeFile } from 'node:fs/promises';

const answer = (reply, code) => (process.parentPort ? process.parentPort.postMessage(reply) : finish(reply, code));
const start = (job) =>
  run(job).then(
    (reply) => answer(reply, 0),
    (thrown) => answer({ ok: false, message: messageOf(thrown) }, 1),
  );

if (process.parentPort) {
  process.parentPort.once('message', (event) => start(event.data));
} else {
  process.once('message', start);
  process.once('disconnect', () => process.exit(1)); // the parent is gone: stop working for nobody
}

async function run(job) {
  // preview2-shim >= 0.26 starts with no preopened directories, so componentize's WIT
  // reading fails with "failed to get path metadata (os error 44)". Give it the host file
  // system before componentize-js (and the jco/shim modules it loads) is imported.
  const { _setPreopens } = await import('@bytecodealliance/preview2-shim/filesystem');
  _setPreopens({ '/': '/' });

  const { componentize } = await import('@bytecodealliance/componentize-js');
  const { component } = await componentize({
    sourcePath: job.sourcePath,
    witPath: job.witPath,
    ...(job.worldName ? { worldName: job.worldName } : {}),
    enableAot: false, // AOT (weval) downloads a binary on first use: impossible offline
  });
  await writeFile(job.outPath, component);
  return { ok: true, bytes: component.byteLength };
}

function finish(reply, code) {
  if (!process.send) process.exit(code);
  process.send(reply, () => process.exit(code));
}

function messageOf(thrown) {
  if (thrown instanceof Error) return thrown.message || String(thrown);
  if (typeof thrown === 'string') return thrown;
  try {
    return JSON.stringify(thrown);
  } catch {
    return String(thrown);
  }
}
