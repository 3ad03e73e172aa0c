// A worker thread for the snapshot tests, on a KeyValueStore that shares the test's
// StoreLocks (as a component's worker does):
//   write: sets keys <id>-00000, <id>-00001… in bucket "load", one after another, until the
//          stop word is set; reports how many were acknowledged (every 20, and at the end)
//   read:  reads all the keys of bucket "pairs" in one call until the stop word is set;
//          reports how many reads saw values that were not all the same (a mix of two states)
//   probe: on a "go" message, says "reading" and reads key "k" of bucket "probe" once
import { parentPort, workerData } from 'node:worker_threads';
import { KeyValueStore } from '../../runtime/stores/key-value-store.ts';
import { StoreLocks } from '../../runtime/stores/store-locks.ts';

interface Task {
  mode: 'write' | 'read' | 'probe';
  root: string;
  locks: SharedArrayBuffer;
  stop: SharedArrayBuffer;
  id: string;
  keys?: string[];
}

const task = (workerData as { data: Task }).data;
const store = new KeyValueStore(task.root, { locks: new StoreLocks(task.locks), guest: true });
const stop = new Int32Array(task.stop);
const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString() : undefined);

if (task.mode === 'write') {
  let acked = 0;
  try {
    while (Atomics.load(stop, 0) === 0) {
      store.set('load', `${task.id}-${String(acked).padStart(5, '0')}`, Buffer.from(`value ${acked}`));
      acked++;
      if (acked % 20 === 0) parentPort!.postMessage({ acked });
    }
    parentPort!.postMessage({ acked, done: true });
  } catch (error) {
    parentPort!.postMessage({ acked, done: true, error: (error as Error).message });
  }
} else if (task.mode === 'read') {
  let reads = 0;
  let mixed = 0;
  const seen = new Set<string>();
  try {
    while (Atomics.load(stop, 0) === 0) {
      const values = store.getMany('pairs', task.keys!).map(text);
      if (new Set(values).size !== 1) mixed++;
      seen.add(values[0] ?? '(none)');
      reads++;
    }
    parentPort!.postMessage({ reads, mixed, seen: [...seen], done: true });
  } catch (error) {
    parentPort!.postMessage({ reads, mixed, done: true, error: (error as Error).message });
  }
} else {
  parentPort!.on('message', () => {
    parentPort!.postMessage({ reading: true });
    parentPort!.postMessage({ value: text(store.get('probe', 'k')) });
    parentPort!.close();
  });
}
