// Prints a component's WIT world with wasm-tools (jco's build of it) off the main thread: it
// takes up to half a second for a 15 MB component, and the studio's main thread must keep
// answering meanwhile.
import { parentPort, workerData } from 'node:worker_threads';
import { componentWit } from '@bytecodealliance/jco-transpile/wasm-tools';
import { messageOf } from '../errors.ts';

const { bytes } = (workerData as { data: { bytes: Uint8Array } }).data;

try {
  parentPort!.postMessage({ ok: true, text: await componentWit(bytes) });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: messageOf(err) });
}
