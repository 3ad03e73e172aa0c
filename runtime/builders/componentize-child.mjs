// Child-process entry for js-component-builder.ts: runs componentize-js once and exits.
// componentize takes 5-25 s and ~800 MB, so it never runs in the studio's own process.
// Plain .mjs (not TypeScript) so the child needs no loader.
//
// Protocol (IPC): the parent sends one ComponentizeJob
//   { sourcePath, witPath, worldName?, outPath }
// and gets back one message, then the child exits:
//   { ok: true, bytes } | { ok: false, message }
// The component is written to outPath; the parent moves it into place.

import { writeFile } from 'node:fs/promises';

process.once('message', (job) => {
  run(job).then(
    (reply) => finish(reply, 0),
    (thrown) => finish({ ok: false, message: messageOf(thrown) }, 1),
  );
});

process.once('disconnect', () => process.exit(1)); // the parent is gone: stop working for nobody

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
