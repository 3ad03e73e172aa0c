// The key-value store acknowledges a write once its journal record is durable and writes the
// value file a moment later (kv-materializer.ts). Tests that look at the files on disk, as
// another program would, wait for that moment with these instead of reading at once.
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { waitUntil } from './wait-until.ts';

/** How long a value file may take to appear: far above the lag the benchmark measures. */
const SETTLE_MS = 10_000;

/** Waits until the file holds `expected` (text, or bytes), and fails naming what it held. */
export async function fileBecomes(path: string, expected: string | Uint8Array): Promise<void> {
  let last = '(no file)';
  await waitUntil(
    async () => {
      const bytes = await readFile(path).catch(() => undefined);
      if (!bytes) return false;
      last = typeof expected === 'string' ? JSON.stringify(bytes.toString('utf8')) : `${bytes.length} bytes`;
      return typeof expected === 'string' ? bytes.toString('utf8') === expected : Buffer.compare(bytes, expected) === 0;
    },
    () => `${path} holds ${typeof expected === 'string' ? JSON.stringify(expected) : `the expected ${expected.length} bytes`} (it held ${last})`,
    SETTLE_MS,
  );
}

/** Waits until the file is gone. */
export async function fileGone(path: string): Promise<void> {
  await waitUntil(() => !existsSync(path), () => `${path} is deleted`, SETTLE_MS);
}

/** Waits until the folder holds exactly these names (in any order), among those `counted` keeps. */
export async function folderBecomes(path: string, names: readonly string[], counted: (name: string) => boolean = () => true): Promise<void> {
  const want = [...names].sort().join('\n');
  let last: string[] = [];
  await waitUntil(
    async () => {
      last = (await readdir(path).catch(() => [])).filter(counted).sort();
      return last.join('\n') === want;
    },
    () => `${path} holds ${JSON.stringify([...names].sort())} (it held ${last.length > 20 ? `${last.length} names` : JSON.stringify(last)})`,
    SETTLE_MS,
  );
}
