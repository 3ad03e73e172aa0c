// `npm run bench -- snapshots`: the time and disk cost of a snapshot and of a restore of a
// store of 100,000 1 KiB keys plus 1,000 objects of 100 KiB, against `cp -a` of the same
// folders in the same run (alternating, 3 rounds, medians); then, after 1% of the keys
// changed, what a second snapshot costs on disk next to the first; and an export and an
// import of the snapshot as a .tar.gz, against `tar -czf` and `tar -xzf` of the same folders
// (which check nothing: the studio hashes every file both ways).
//
// Disk cost is counted as `du` counts it: blocks of files and folders not already counted
// (a file shared by a hard link costs nothing more). Both sides run with the data in the
// page cache; the snapshot's time includes its journal checkpoint and its file-system flush,
// `cp -a` gets no flush (so the comparison leans its way).
import { execFile } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dataFoldersFor } from '../runtime/snapshots/data-folders.ts';
import { openLiveData } from '../runtime/snapshots/live-data.ts';
import { ProjectSnapshots } from '../runtime/snapshots/project-snapshots.ts';
import type { Benchmark, TargetCheck } from './lib/bench.ts';
import { table } from './lib/format.ts';

const run = promisify(execFile);
const KEYS = 100_000;
const BUCKETS = 10;
const OBJECTS = 1_000;
const ROUNDS = 3;

/** Bytes on disk of the files and folders under `dirs`, each inode counted once (as `du`). */
function diskUse(dirs: string[], seen = new Set<string>()): number {
  let bytes = 0;
  const visit = (path: string) => {
    const info = lstatSync(path);
    const id = `${info.dev}:${info.ino}`;
    if (!seen.has(id)) {
      seen.add(id);
      bytes += info.blocks * 512;
    }
    if (info.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  for (const dir of dirs) visit(dir);
  return bytes;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export const benchmark: Benchmark = {
  description: `snapshot, restore, export and import of ${KEYS.toLocaleString()} 1 KiB keys + ${OBJECTS.toLocaleString()} objects of 100 KiB, against cp -a and tar`,
  async run(_options, print) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-snapshots-'));
    try {
      const project = join(dir, 'project');
      mkdirSync(join(project, '.wash'), { recursive: true });
      writeFileSync(join(project, '.wash', 'config.yaml'), 'version: 1\n');
      const folders = await dataFoldersFor(project);
      print('filling the data folders (wash layout)…');
      const value = Buffer.alloc(1024, 'k');
      for (let b = 0; b < BUCKETS; b++) {
        const bucket = join(folders.keyvalue, `bucket-${b}`);
        mkdirSync(bucket, { recursive: true });
        for (let k = 0; k < KEYS / BUCKETS; k++) writeFileSync(join(bucket, `key-${String(k).padStart(6, '0')}`), value);
      }
      const object = Buffer.alloc(100 * 1024);
      for (let o = 0; o < OBJECTS; o++) {
        const folder = join(folders.blobstore, 'media', `folder-${o % 20}`);
        mkdirSync(folder, { recursive: true });
        object.writeUInt32LE(o, 0);
        writeFileSync(join(folder, `object-${o}.bin`), object);
      }
      await run('sync', ['-f', folders.keyvalue]);
      const live = openLiveData(folders);
      const snapshots = new ProjectSnapshots(() => live);
      const copies = join(dir, 'copies');
      try {
        const snapshotMs: number[] = [];
        const copyMs: number[] = [];
        let snapshotBytes = 0;
        let copyBytes = 0;
        for (let round = 0; round < ROUNDS; round++) {
          const name = `round ${round}`;
          snapshotMs.push(await timed(() => snapshots.save({ name })));
          const entry = snapshots.catalogue.usable(name);
          snapshotBytes = diskUse([entry.dir], new Set([...inodes(folders.keyvalue), ...inodes(folders.blobstore)]));
          const target = join(copies, `round-${round}`);
          mkdirSync(target, { recursive: true });
          copyMs.push(await timed(() => run('cp', ['-a', folders.keyvalue, folders.blobstore, target])));
          copyBytes = diskUse([target]);
          rmSync(target, { recursive: true, force: true });
          if (round < ROUNDS - 1) await snapshots.delete(name);
        }
        // 1% of the keys change, through the store (as a component would change them).
        for (let k = 0; k < KEYS / 100; k++) live.keyvalue.set(`bucket-${k % BUCKETS}`, `key-${String(Math.floor(k / BUCKETS)).padStart(6, '0')}`, Buffer.alloc(1024, 'c'));
        const first = snapshots.catalogue.usable(`round ${ROUNDS - 1}`);
        await snapshots.save({ name: 'after 1%' });
        const second = snapshots.catalogue.usable('after 1%');
        const secondBytes = diskUse([second.dir], inodes(first.dir));

        const restoreMs: number[] = [];
        const restoreCopyMs: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const name = round % 2 === 0 ? first.name : 'after 1%';
          restoreMs.push(await timed(() => snapshots.restore(name)));
          for (const entry of snapshots.list()) if (entry.description?.kind === 'before-restore') await snapshots.delete(entry.name);
          // What restoring by hand takes: the live folders emptied, the copy put back with cp -a.
          const source = snapshots.catalogue.usable(name).dir;
          const target = join(copies, `restore-${round}`);
          mkdirSync(target, { recursive: true });
          restoreCopyMs.push(
            await timed(async () => {
              await run('cp', ['-a', join(source, 'keyvalue'), join(source, 'blobstore'), target]);
            }),
          );
          rmSync(target, { recursive: true, force: true });
        }

        // Export and import against tar on the same folders, alternating.
        const exportMs: number[] = [];
        const tarMs: number[] = [];
        const importMs: number[] = [];
        const untarMs: number[] = [];
        const archive = join(dir, 'snapshot.tar.gz');
        const tarball = join(dir, 'peer.tar.gz');
        for (let round = 0; round < ROUNDS; round++) {
          rmSync(archive, { force: true });
          rmSync(tarball, { force: true });
          exportMs.push(await timed(() => snapshots.export(first.name, archive)));
          tarMs.push(await timed(() => run('tar', ['-czf', tarball, '-C', first.dir, 'keyvalue', 'blobstore'])));
          importMs.push(await timed(() => snapshots.import(archive, `imported ${round}`)));
          await snapshots.delete(`imported ${round}`);
          const target = join(copies, `untar-${round}`);
          mkdirSync(target, { recursive: true });
          untarMs.push(await timed(() => run('tar', ['-xzf', tarball, '-C', target])));
          rmSync(target, { recursive: true, force: true });
        }
        const exportPace = median(tarMs) / median(exportMs);
        const importPace = median(untarMs) / median(importMs);

        const snapshotRatio = median(copyMs) / median(snapshotMs);
        const restoreRatio = median(restoreCopyMs) / median(restoreMs);
        const secondShare = secondBytes / copyBytes;
        print(
          table(
            ['', 'studio', 'cp -a', 'ratio'],
            [
              ['snapshot (median time)', seconds(median(snapshotMs)), seconds(median(copyMs)), `${snapshotRatio.toFixed(1)}x faster`],
              ['snapshot (disk)', mib(snapshotBytes), mib(copyBytes), `${((snapshotBytes / copyBytes) * 100).toFixed(1)}%`],
              ['restore (median time)', seconds(median(restoreMs)), seconds(median(restoreCopyMs)), `${restoreRatio.toFixed(1)}x faster`],
              ['2nd snapshot after 1% changed (disk)', mib(secondBytes), mib(copyBytes), `${(secondShare * 100).toFixed(2)}%`],
              ['export .tar.gz (median time; peer: tar -czf)', seconds(median(exportMs)), seconds(median(tarMs)), `${exportPace.toFixed(2)}x tar's pace`],
              ['import .tar.gz (median time; peer: tar -xzf)', seconds(median(importMs)), seconds(median(untarMs)), `${importPace.toFixed(2)}x tar's pace`],
            ],
          ),
        );
        print(`rounds: snapshot ${snapshotMs.map(seconds).join(', ')}; cp -a ${copyMs.map(seconds).join(', ')}; restore ${restoreMs.map(seconds).join(', ')}; cp -a back ${restoreCopyMs.map(seconds).join(', ')}; export ${exportMs.map(seconds).join(', ')}; tar -czf ${tarMs.map(seconds).join(', ')}; import ${importMs.map(seconds).join(', ')}; tar -xzf ${untarMs.map(seconds).join(', ')}`);
        const targets: TargetCheck[] = [
          { benchmark: 'snapshots', subject: 'snapshot time vs cp -a', target: '>= 5x faster', measured: `${snapshotRatio.toFixed(1)}x`, met: snapshotRatio >= 5 },
          { benchmark: 'snapshots', subject: 'restore time vs cp -a', target: '>= 1x (as fast)', measured: `${restoreRatio.toFixed(1)}x`, met: restoreRatio >= 1 },
          { benchmark: 'snapshots', subject: '2nd snapshot after 1% changed, disk vs a full copy', target: '< 5%', measured: `${(secondShare * 100).toFixed(2)}%`, met: secondShare < 0.05 },
        ];
        return { targets, data: { snapshotMs, copyMs, restoreMs, restoreCopyMs, snapshotBytes, copyBytes, secondBytes, exportMs, tarMs, importMs, untarMs } };
      } finally {
        live.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** The inodes under `dir`, as `diskUse` counts them, so what they share is not counted again. */
function inodes(dir: string): Set<string> {
  const seen = new Set<string>();
  diskUse([dir], seen);
  return seen;
}
