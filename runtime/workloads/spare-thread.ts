// One component worker thread started ahead of need. A reload or a replaced worker takes it
// and skips the thread's own start (tens of ms, several times that on a busy machine), which
// is on the path from a save to the new version serving. A spare has loaded no component:
// like any new worker it waits for its 'load' message, having parsed the glue module the
// load will probably name. It does not keep the process alive.
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../threads/spawn-worker.ts';
import type { ToWorker } from './worker-protocol.ts';

/** A taken spare is replaced after this pause, so its start does not compete with the reload that took it. */
const REPLACE_AFTER_MS = 1000;

const ENTRY = new URL('./component-worker.ts', import.meta.url);
// A large young generation: a component's JS glue allocates on every call, and with V8's
// default a worker paused for a scavenge every ~130 QR requests, which made up most of the
// tail latency (c1 p99 2.2 ms, 1.0 ms with this). The space grows only as a worker
// allocates: under load, about 60 MB more per worker than with V8's default.
const OPTIONS = { resourceLimits: { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 128 } };

let spare: { thread: Worker; exited: boolean } | undefined;
let replacing: NodeJS.Timeout | undefined;
/** Per component, the glue module its workers loaded last. */
const expectedGlue = new Map<string, string>();

/**
 * The glue module a component's next workers will probably load: the one it just started.
 * Rebuilds of a project keep their glue file (see transpiler.ts), so a spare that loads it
 * ahead saves the next reload the parse.
 */
export function expectGlue(componentName: string, glueUrl: string): void {
  expectedGlue.set(componentName, glueUrl);
}

/** A component worker thread: the spare when one is up, otherwise a new one. Either way, a spare follows. */
export function takeComponentThread(): Worker {
  const taken = spare;
  spare = undefined;
  scheduleSpare();
  if (taken && !taken.exited) {
    taken.thread.removeAllListeners('exit').removeAllListeners('error');
    taken.thread.ref();
    return taken.thread;
  }
  return spawnWorker(ENTRY, OPTIONS);
}

function scheduleSpare(): void {
  clearTimeout(replacing);
  replacing = setTimeout(() => {
    let thread: Worker;
    try {
      thread = spawnWorker(ENTRY, OPTIONS);
    } catch {
      return; // no thread to spare (e.g. the system's thread limit): workers start as before
    }
    thread.unref();
    const entry = { thread, exited: false };
    // An unheard 'error' would end the process; a spare that failed is simply not used.
    thread.once('error', () => (entry.exited = true));
    thread.once('exit', () => (entry.exited = true));
    for (const glueUrl of new Set(expectedGlue.values())) thread.postMessage({ type: 'preload', glueUrl } satisfies ToWorker);
    spare = entry;
  }, REPLACE_AFTER_MS);
  replacing.unref();
}
