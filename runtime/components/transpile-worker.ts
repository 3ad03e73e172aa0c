// Runs jco's transpiler off the main thread: it takes about a second for a 15 MB component,
// and the gateway must keep answering meanwhile.
import { parentPort, workerData } from 'node:worker_threads';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { transpileBytes } from '@bytecodealliance/jco-transpile';
import { componentWit } from '@bytecodealliance/jco-transpile/wasm-tools';
import { cacheTempDir, publishCacheEntry } from '../cache-dir.ts';
import { messageOf } from '../errors.ts';
import { tuneGlue } from './glue-tuning.ts';
import { isTranspiled, MANIFEST, type Manifest, type TranspileJob, type TranspileOutcome } from './transpiler.ts';

const job = (workerData as { data: TranspileJob }).data;

async function run(): Promise<TranspileOutcome> {
  let result: Awaited<ReturnType<typeof transpileBytes>>;
  let text: string;
  try {
    result = await transpileBytes(job.bytes, {
      name: 'component',
      instantiation: 'async',
      base64Cutoff: 0,
      emitTypescriptDeclarations: false,
      nodejsCompat: false,
      tlaCompat: false,
    });
    text = await componentWit(job.bytes);
  } catch (err) {
    return { ok: false, stage: 'transpile', message: messageOf(err) };
  }
  const temp = cacheTempDir(job.outDir);
  try {
    const sizes: Record<string, number> = {};
    for (const [file, bytes] of Object.entries(result.files)) {
      const path = join(temp, file);
      await mkdir(dirname(path), { recursive: true });
      const written = file.endsWith('.js') ? Buffer.from(tuneGlue(Buffer.from(bytes).toString('utf8'))) : bytes;
      await writeFile(path, written);
      sizes[file] = written.byteLength;
    }
    const manifest: Manifest = {
      witText: text,
      coreModules: Object.keys(result.files).filter((f) => f.endsWith('.wasm')),
      glue: 'component.js',
      sizes,
    };
    await writeFile(join(temp, MANIFEST), JSON.stringify(manifest, null, 2));
    await publishCacheEntry(temp, job.outDir, isTranspiled);
    return { ok: true };
  } catch (err) {
    await rm(temp, { recursive: true, force: true }).catch(() => {});
    return { ok: false, stage: 'cache', message: messageOf(err) };
  }
}

parentPort!.postMessage(await run());

