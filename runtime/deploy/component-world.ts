// The WIT world (imports and exports) of a component about to be pushed or deployed: the Wasm
// artifact's config lists them, and the WorkloadDeployment's host interfaces come from them.
// Worlds are kept by the component's hash for the life of the process, so regenerating a
// manifest does not print the world again.
import { createHash } from 'node:crypto';
import { fail, ok, type Result } from '../errors.ts';
import { parseWorld, type WitWorld } from '../components/wit-world.ts';
import { spawnWorker } from '../threads/spawn-worker.ts';

const worlds = new Map<string, Promise<Result<WitWorld>>>();
const MAX_KEPT = 32;

export function componentWorld(bytes: Uint8Array, name: string): Promise<Result<WitWorld>> {
  const hash = createHash('sha256').update(bytes).digest('hex');
  let world = worlds.get(hash);
  if (!world) {
    world = printWorld(bytes, name);
    worlds.set(hash, world);
    void world.then((r) => !r.ok && worlds.delete(hash));
    if (worlds.size > MAX_KEPT) worlds.delete(worlds.keys().next().value!);
  }
  return world;
}

function printWorld(bytes: Uint8Array, name: string): Promise<Result<WitWorld>> {
  return new Promise((resolve) => {
    // jco's wasm-tools loads its own wasm from beside its package: no bundling.
    // stderr: true keeps what wasm-tools prints (a Rust panic, as text) off the terminal; a
    // panic's own sentence says more than the trap it ends in.
    const worker = spawnWorker(new URL('./component-world-worker.ts', import.meta.url), { bundle: false, data: { bytes }, stderr: true });
    let printed = '';
    worker.stderr.on('data', (chunk: Buffer) => {
      if (printed.length < 4096) printed += chunk.toString();
    });
    worker.once('message', (m: { ok: true; text: string } | { ok: false; message: string }) => {
      resolve(m.ok ? ok(parseWorld(m.text)) : fail('component-invalid', `${name} is not a component wasm-tools can read: ${panicMessage(printed) ?? m.message}`, 'Rebuild it; the studio pushes WebAssembly components (wasm32-wasip2).'));
      void worker.terminate();
    });
    worker.once('error', (err) => resolve(fail('component-invalid', `Reading the WIT world of ${name} failed: ${err.message}`, 'Rebuild the component and try again.')));
    worker.once('exit', (code) => resolve(fail('component-invalid', `Reading the WIT world of ${name} stopped (exit code ${code}).`, 'Try again; the studio log may say more.')));
  });
}

/** The sentence of a Rust panic in `text` ("thread '…' panicked at file:line:col:\nUnexpected wit package"). */
function panicMessage(text: string): string | undefined {
  return /panicked at [^\n]*:\n([^\n]+)/.exec(text)?.[1]?.trim();
}
