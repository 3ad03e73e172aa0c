// One thread of measureParallelDirectCalls: instantiates, says ready, waits for 'go' so that
// every thread measures over the same window, then runs the timed loop.
import { parentPort, workerData } from 'node:worker_threads';
import { prepareDirectCalls, type DirectRequest, type DirectTiming } from './direct.ts';

const { wasmPath, cacheDir, request, timing } = (workerData as { data: { wasmPath: string; cacheDir: string; request: DirectRequest; timing: DirectTiming } }).data;
const port = parentPort!;

try {
  const run = await prepareDirectCalls(wasmPath, cacheDir, request);
  port.once('message', () => {
    try {
      port.postMessage({ result: run(timing) });
    } catch (err) {
      port.postMessage({ error: err instanceof Error ? err.message : String(err) });
    }
  });
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ error: err instanceof Error ? err.message : String(err) });
}
