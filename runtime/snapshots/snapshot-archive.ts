// A snapshot as one file to share: a gzip-compressed tar (`.tar.gz`, readable by `tar`),
// made with tar-stream and Node's zlib, both streaming, so a 50 MB object never sits in memory.
//
//   snapshot.json                 the manifest: format, name, note, project, times, sizes, and
//                                 for every file its path, size and SHA-256
//   keyvalue/<bucket>/<key>       the snapshot's folders, as they are on disk
//   blobstore/<container>/<…>
//   volumes/<n>/<…>
//
// The manifest comes first, so an archive of another kind is refused before anything is
// written. Importing checks everything before the snapshot appears: each entry is a plain
// file or folder whose path stays inside the snapshot (no `..`, no absolute path, no link,
// no device, none of the studio's own `.cs-` names), is listed in the manifest with its size,
// and hashes to its checksum; nothing is missing. Files go to a hidden working folder of the
// catalogue, which is renamed into place only then: a refused archive changes nothing.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { extract, pack, type Header } from 'tar-stream';
import { z } from 'zod';
import { removeLeftoversOfGoneProcesses } from '../stores/process-identity.ts';
import { isInternalFileName, SWAP_PREFIX } from '../stores/safe-names.ts';
import { walkTree } from './file-tree.ts';
import { checkSnapshotParts, descriptionSchema, type CatalogueEntry, type SnapshotCatalogue, type SnapshotDescription, type StoreSummary } from './snapshot-catalogue.ts';
import { localNames } from './local-names.ts';
import { SnapshotError, snapshotErrorFrom } from './snapshot-error.ts';

export const ARCHIVE_FORMAT = 'component-studio-snapshot';
export const ARCHIVE_VERSION = 1;
const MANIFEST_NAME = 'snapshot.json';
/** A manifest larger than this is not one of ours (100k files take about 15 MB). */
const MAX_MANIFEST_BYTES = 64 * 2 ** 20;
const MAX_SEGMENT_BYTES = 255;

const fileSchema = z.object({ path: z.string().min(1).max(8192), size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
const manifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  version: z.literal(ARCHIVE_VERSION),
  exportedAt: z.number(),
  snapshot: descriptionSchema,
  /** Folders with nothing in them (an empty bucket or container), which tar would not keep otherwise. */
  folders: z.array(z.string().min(1).max(8192)).max(1_000_000),
  files: z.array(fileSchema).max(10_000_000),
});
export type ArchiveManifest = z.infer<typeof manifestSchema>;

/** Why a path from an archive cannot be a file of a snapshot, or undefined when it can. */
function unsafePath(path: string, volumes: number): string | undefined {
  if (path.includes('\\') || path.includes('\0')) return 'it contains a backslash or a NUL character';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'it is an absolute path';
  const parts = path.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return 'it has an empty, "." or ".." part';
  if (parts.some((p) => Buffer.byteLength(p) > MAX_SEGMENT_BYTES)) return `a part of it is longer than ${MAX_SEGMENT_BYTES} bytes`;
  const [top, second] = parts;
  // A volume's names are all the user's, but a restore's staging folder; the stores' `.cs-` names are the studio's own.
  if (top === 'volumes' ? parts.some((p) => p.startsWith(SWAP_PREFIX)) : parts.some(isInternalFileName)) return 'it names one of the studio\'s own files (.cs-)';
  if (top === 'keyvalue' || top === 'blobstore') return undefined;
  if (top === 'volumes') {
    const index = Number(second);
    return second !== undefined && /^\d+$/.test(second) && index < volumes ? undefined : 'it names a volume the manifest does not have';
  }
  return 'it is outside keyvalue/, blobstore/ and volumes/';
}

function unsafe(file: string, path: string, why: string): SnapshotError {
  return new SnapshotError('archive-unsafe', `${file} is refused: its entry ${JSON.stringify(path.slice(0, 300))} cannot be part of a snapshot (${why}).`, 'Only import snapshots exported by Component Studio; nothing was changed.');
}

/**
 * Files up to this size are read and written whole: a stream per file costs ten times a
 * whole read for the small values most stores hold (100k keys took minutes each way).
 */
const WHOLE_FILE_BYTES = 1 << 20;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Bytes of small files an export keeps from its hashing pass for its writing pass. */
const KEPT_BYTES = 256 * 2 ** 20;

/**
 * Small files are read and written with synchronous calls: an asynchronous one per file is
 * a trip through libuv's thread pool, which made 100k keys take 40 s each way. They run in
 * slices of at most this long, so the main thread (the gateway, the UI) is never held up
 * for more.
 */
const SLICE_MS = 8;

/** A function to await between synchronous steps: it yields to the event loop once a slice is used up. */
function timeSlices(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Removes what exports to `file` left when they were killed: `<file>.<pid>.partial`, as large
 * as the archive it was becoming. A partial file of an export still running stays.
 */
function removeDeadPartials(file: string): Promise<void> {
  return removeLeftoversOfGoneProcesses(dirname(file), `${basename(file)}.`, /^(\d+)\.partial$/);
}

/**
 * Writes the snapshot as a .tar.gz at `file` (through a temp file, so a failure leaves no half
 * archive; the temp file of an export that was killed is removed by the next export to `file`).
 */
/** What an export wrote, and what it could not put in the archive. */
export interface ExportedSnapshot {
  file: string;
  bytes: number;
  manifest: ArchiveManifest;
  /**
   * Entries of the snapshot an archive cannot hold, as `keyvalue/<bucket>/<file>` and the
   * like: links, pipes, sockets, and names that are not UTF-8. The archive has the rest.
   */
  leftOut: string[];
}

export async function exportSnapshot(entry: CatalogueEntry & { description: SnapshotDescription }, file: string, options: { overwrite?: boolean } = {}): Promise<ExportedSnapshot> {
  const temp = `${file}.${process.pid}.partial`;
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new SnapshotError('snapshot-failed', `Cannot export the snapshot ${JSON.stringify(entry.name)} to ${file}: it is a folder.`, 'Give the file to write, such as snapshot.tar.gz, inside that folder.');
  }
  if (existing && !options.overwrite) {
    throw new SnapshotError('file-exists', `Cannot export the snapshot ${JSON.stringify(entry.name)} to ${file}: that file already exists.`, 'Give another file name, or pass --force to replace it.');
  }
  const folder = dirname(file);
  if (!(await stat(folder).catch(() => undefined))?.isDirectory()) {
    throw new SnapshotError('snapshot-failed', `Cannot export the snapshot ${JSON.stringify(entry.name)} to ${file}: the folder ${folder} does not exist.`, 'Create the folder first, or give a file in a folder that exists.');
  }
  try {
    checkSnapshotParts(entry, 'export');
    await removeDeadPartials(file);
    const files: ArchiveManifest['files'] = [];
    const folders: string[] = [];
    const nonEmpty = new Set<string>();
    // Small files read for their checksum, kept (up to KEPT_BYTES) so they are read once.
    const kept = new Map<string, Buffer>();
    let keptBytes = 0;
    const slice = timeSlices();
    const leftOut: string[] = [];
    for (const top of ['keyvalue', 'blobstore', 'volumes']) {
      const root = join(entry.dir, top);
      const skipped = (path: string) => leftOut.push([top, ...relative(root, path).split(sep)].join('/'));
      for await (const item of walkTree(root, { skipInternal: top !== 'volumes', skipSwaps: true }, skipped)) {
        const path = [top, ...item.segments].join('/');
        if (item.kind === 'folder') folders.push(path);
        else {
          await slice();
          const info = statSync(item.path);
          if (info.size > WHOLE_FILE_BYTES) files.push({ path, size: info.size, sha256: await sha256Of(item.path) });
          else {
            const bytes = readFileSync(item.path);
            files.push({ path, size: bytes.length, sha256: sha256(bytes) });
            if (keptBytes + bytes.length <= KEPT_BYTES) {
              kept.set(path, bytes);
              keptBytes += bytes.length;
            }
          }
        }
        for (let i = 1; i < item.segments.length; i++) nonEmpty.add([top, ...item.segments.slice(0, i)].join('/'));
      }
    }
    const manifest: ArchiveManifest = { format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, exportedAt: Date.now(), snapshot: entry.description, folders: folders.filter((f) => !nonEmpty.has(f)), files };
    const tar = pack({});
    const writing = pipeline(tar, createGzip(), createWriteStream(temp));
    // A write that fails (the disk full, the folder removed) ends the export with its error,
    // rather than leaving the entries below waiting, and the rejection unhandled.
    const failed = writing.then(
      () => new Promise<never>(() => {}),
      (error: unknown) => Promise.reject(error),
    );
    const step = <T>(work: Promise<T>): Promise<T> => Promise.race([work, failed]);
    type EntryHeader = Partial<Header> & Pick<Header, 'name'>;
    const done = (resolve: () => void, reject: (error: Error) => void) => (error?: Error | null) => (error ? reject(error) : resolve());
    // An entry's sink fails too when the archive does (a full disk): unheard, its error
    // would end the process, and with it a studio that runs the export.
    const addBytes = (header: EntryHeader, bytes: Uint8Array) => new Promise<void>((resolve, reject) => tar.entry(header, bytes, done(resolve, reject)).on('error', reject));
    const addFile = (header: EntryHeader, source: string) =>
      new Promise<void>((resolve, reject) => {
        const sink = tar.entry(header, done(resolve, reject)).on('error', reject);
        createReadStream(source).on('error', reject).pipe(sink);
      });
    await step(addBytes({ name: MANIFEST_NAME, mode: 0o644 }, Buffer.from(JSON.stringify(manifest))));
    for (const path of manifest.folders) await step(addBytes({ name: `${path}/`, type: 'directory', mode: 0o755 }, new Uint8Array(0)));
    const mtime = new Date(entry.description.createdAt);
    for (const item of files) {
      const header = { name: item.path, size: item.size, mode: 0o644, mtime };
      const source = join(entry.dir, ...item.path.split('/'));
      if (item.size > WHOLE_FILE_BYTES) {
        await step(addFile(header, source));
        continue;
      }
      await slice();
      await step(addBytes(header, kept.get(item.path) ?? readFileSync(source)));
    }
    tar.finalize();
    await writing;
    await rename(temp, file);
    return { file, bytes: (await stat(file)).size, manifest, leftOut };
  } catch (error) {
    await rm(temp, { force: true });
    throw snapshotErrorFrom(error, `export the snapshot ${JSON.stringify(entry.name)} to ${file}`);
  }
}

/** An archive checked and unpacked into the catalogue's working folder, not yet a snapshot. */
export interface StagedImport {
  manifest: ArchiveManifest;
  /** The unpacked snapshot folder (for comparing it with the live data before committing). */
  dir: string;
  /** Makes it a snapshot named `name` (default: the name in the archive). */
  commit(name?: string): Promise<CatalogueEntry>;
  discard(): Promise<void>;
}

/** Room the disk keeps after an import: a full disk stops the studio's own writes too. */
const SPARE_BYTES = 256 * 2 ** 20;

/**
 * Refuses an archive whose files would not fit on the disk, before writing any: a small
 * archive can declare gigabytes of zeros. Each file's size is checked again as it arrives.
 */
async function checkRoomFor(file: string, manifest: ArchiveManifest, into: string): Promise<void> {
  const needed = manifest.files.reduce((sum, entry) => sum + entry.size, 0);
  const disk = await statfs(into).catch(() => undefined);
  if (!disk) return;
  const free = disk.bavail * disk.bsize;
  if (needed + SPARE_BYTES <= free) return;
  throw new SnapshotError('archive-too-large', `${file} unpacks to ${sizeText(needed)}, and the disk that holds the snapshots has ${sizeText(free)} free.`, 'Free some space on that disk (deleting old snapshots helps), then import again; nothing was written.');
}

function sizeText(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.ceil(bytes / 2 ** 20)} MiB`;
}

/** Reads and checks an archive into the catalogue's working folder; refuses anything wrong, changing nothing. */
export async function stageImport(file: string, catalogue: SnapshotCatalogue): Promise<StagedImport> {
  try {
    await stat(file);
  } catch {
    throw new SnapshotError('archive-not-found', `There is no file ${file}.`, 'Give the path of a snapshot archive (.tar.gz) exported by Component Studio.');
  }
  // The working folder is a snapshot being made; its name is settled at commit.
  const made = await catalogue.begin();
  try {
    const unpacked = await unpack(file, made.dir);
    // What it holds is counted from its checked entries; its description could say anything.
    const manifest = { ...unpacked, snapshot: { ...unpacked.snapshot, ...recount(unpacked) } };
    return {
      manifest,
      dir: made.dir,
      commit: (name = manifest.snapshot.name) => made.commit({ ...manifest.snapshot, name, kind: manifest.snapshot.kind === 'seed' ? 'seed' : 'imported' }),
      discard: () => made.abort(),
    };
  } catch (error) {
    await made.abort();
    if (error instanceof SnapshotError) throw error;
    // zlib and tar report a damaged stream as plain errors.
    if (error instanceof Error && /incorrect header|unexpected end|invalid tar|Z_DATA_ERROR|Unexpected end of data/i.test(`${error.message} ${(error as NodeJS.ErrnoException).code ?? ''}`)) {
      throw new SnapshotError('archive-invalid', `${file} is not a readable snapshot archive: ${error.message}.`, 'Export the snapshot again; the file may be cut short or not a .tar.gz.');
    }
    throw snapshotErrorFrom(error, `import ${file}`);
  }
}

/** How much each store and volume of an archive holds, from its entries (as a snapshot being taken counts). */
function recount(manifest: ArchiveManifest): Pick<SnapshotDescription, 'keyvalue' | 'blobstore' | 'volumes'> {
  const under = (prefix: string) => manifest.files.filter((f) => f.path.startsWith(prefix));
  const store = (top: 'keyvalue' | 'blobstore'): StoreSummary => {
    const files = under(`${top}/`);
    const folders = new Set<string>();
    let atTop = false;
    // A file's second part is its bucket or container when a third follows; an empty folder's is itself.
    for (const { path } of files) {
      const parts = path.split('/');
      if (parts.length > 2) folders.add(parts[1]!);
      else atTop = true;
    }
    for (const path of manifest.folders) {
      const parts = path.split('/');
      if (parts[0] === top && parts.length > 1) folders.add(parts[1]!);
    }
    // Keys at the top of the key-value folder are wash's bucket "".
    const rootBucket = top === 'keyvalue' && atTop ? 1 : 0;
    const present = manifest.snapshot[top].present || files.length > 0 || folders.size > 0;
    return { present, folders: folders.size + rootBucket, files: files.length, bytes: files.reduce((sum, f) => sum + f.size, 0) };
  };
  const volumes = manifest.snapshot.volumes.map((volume, i) => {
    const files = under(`volumes/${i}/`);
    return { ...volume, files: files.length, bytes: files.reduce((sum, f) => sum + f.size, 0) };
  });
  return { keyvalue: store('keyvalue'), blobstore: store('blobstore'), volumes };
}

async function unpack(file: string, into: string): Promise<ArchiveManifest> {
  const reader = extract();
  const reading = pipeline(createReadStream(file), createGunzip(), reader);
  let manifest: ArchiveManifest | undefined;
  /** Where each entry goes on this system (see local-names.ts). */
  let local = new Map<string, string>();
  const target = (path: string) => join(into, ...local.get(path)!.split('/'));
  const expected = new Map<string, { size: number; sha256: string }>();
  const seen = new Set<string>();
  /** Folders made so far: most entries share theirs. */
  const made = new Set<string>();
  const slice = timeSlices();
  try {
    for await (const item of reader) {
      const header = item.header;
      const name = header.name.replace(/\/+$/, '');
      if (!manifest) {
        if (name !== MANIFEST_NAME || header.type !== 'file') throw new SnapshotError('archive-invalid', `${file} is not a Component Studio snapshot: it does not start with ${MANIFEST_NAME}.`, 'Export the snapshot with Component Studio (component-studio snapshot export).');
        if ((header.size ?? 0) > MAX_MANIFEST_BYTES) throw new SnapshotError('archive-invalid', `${file} has a manifest of ${header.size} bytes, more than a snapshot's can be.`, 'Export the snapshot again.');
        manifest = parseManifest(file, Buffer.concat(await collect(item as unknown as AsyncIterable<Buffer>)).toString('utf8'));
        await checkRoomFor(file, manifest, into);
        for (const entry of manifest.files) {
          const why = unsafePath(entry.path, manifest.snapshot.volumes.length);
          if (why) throw unsafe(file, entry.path, why);
          expected.set(entry.path, entry);
        }
        for (const folder of manifest.folders) {
          const why = unsafePath(folder, manifest.snapshot.volumes.length);
          if (why) throw unsafe(file, folder, why);
        }
        local = localNames(file, [...expected.keys()], manifest.folders);
        for (const folder of manifest.folders) await mkdir(target(folder), { recursive: true });
        continue;
      }
      const why = unsafePath(name, manifest.snapshot.volumes.length);
      if (why) throw unsafe(file, header.name, why);
      if (header.type === 'directory') {
        item.resume();
        // The manifest's empty folders were made above; any other folder comes with its files.
        continue;
      }
      if (header.type !== 'file') throw unsafe(file, header.name, `it is a ${header.type ?? 'special entry'}, not a plain file`);
      const listed = expected.get(name);
      if (!listed) throw new SnapshotError('archive-tampered', `${file} was changed after it was exported: ${JSON.stringify(name)} is not in its manifest.`, 'Export the snapshot again from the original; nothing was changed.');
      if (seen.has(name)) throw new SnapshotError('archive-tampered', `${file} holds ${JSON.stringify(name)} twice.`, 'Export the snapshot again from the original; nothing was changed.');
      seen.add(name);
      if (header.size !== listed.size) throw tampered(file, name, `${header.size} bytes where the manifest says ${listed.size}`);
      const path = target(name);
      const folder = dirname(path);
      if (!made.has(folder)) {
        mkdirSync(folder, { recursive: true });
        made.add(folder);
      }
      if (listed.size <= WHOLE_FILE_BYTES) {
        const bytes = Buffer.concat(await collect(item as unknown as AsyncIterable<Buffer>));
        if (sha256(bytes) !== listed.sha256) throw tampered(file, name, 'its checksum does not match the manifest');
        await slice();
        writeFileSync(path, bytes, { flag: 'wx' });
        continue;
      }
      const hash = createHash('sha256');
      // streamx streams iterate like Node's; the cast is for the types only.
      await pipeline(
        item as unknown as AsyncIterable<Buffer>,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(path, { flags: 'wx' }),
      );
      if (hash.digest('hex') !== listed.sha256) throw tampered(file, name, 'its checksum does not match the manifest');
    }
    await reading;
  } catch (error) {
    reader.destroy();
    await reading.catch(() => {});
    throw error;
  }
  if (!manifest) throw new SnapshotError('archive-invalid', `${file} is empty.`, 'Export the snapshot again.');
  const missing = [...expected.keys()].filter((path) => !seen.has(path));
  if (missing.length > 0) throw tampered(file, missing[0]!, `it is in the manifest but not in the archive${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}`);
  return manifest;
}

function tampered(file: string, path: string, why: string): SnapshotError {
  return new SnapshotError('archive-tampered', `${file} was changed after it was exported: ${JSON.stringify(path)}: ${why}.`, 'Export the snapshot again from the original; nothing was changed.');
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function parseManifest(file: string, text: string): ArchiveManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SnapshotError('archive-invalid', `${file} has a manifest that is not JSON.`, 'Export the snapshot again.');
  }
  const checked = manifestSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const format = (parsed as { format?: unknown; version?: unknown } | null)?.format;
    if (format === ARCHIVE_FORMAT && (parsed as { version?: unknown }).version !== ARCHIVE_VERSION) {
      throw new SnapshotError('archive-invalid', `${file} is a snapshot archive of version ${String((parsed as { version?: unknown }).version)}; this studio reads version ${ARCHIVE_VERSION}.`, 'Update Component Studio, or export the snapshot with this version.');
    }
    throw new SnapshotError('archive-invalid', `${file} has a manifest this studio cannot read (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown shape'}).`, 'Export the snapshot again with Component Studio.');
  }
  return checked.data;
}
