// The snapshots of a project: one folder each in the catalogue folder, named after the
// snapshot (percent-encoded where a character is not safe in a file name), holding
// `snapshot.json` (what it is) and `keyvalue/`, `blobstore/` and `volumes/<n>/` (the data,
// laid out exactly as the live folders are).
//
// A snapshot appears whole or not at all: it is made in a hidden working folder
// (`.cs-making-<pid>-…`) and renamed into place once its files and description are on disk.
// Deleting renames it away first. Working folders of processes that are gone are removed
// when the catalogue is listed.
//
// A snapshot whose data folders another program removed or replaced is refused before it is
// used (`checkSnapshotParts`): restoring it would empty the data its description counts.
//
// This module owns the catalogue's layout and the description file; it does not copy data.
import { lstatSync, opendirSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { syncFolder } from '../stores/atomic-write.ts';
import { processRunning } from '../stores/process-identity.ts';
import { bucketFolderName, decodeSegment, INTERNAL_PREFIX } from '../stores/safe-names.ts';
import { StoreError } from '../stores/store-error.ts';
import { sameFileName } from './local-names.ts';
import { SnapshotError, snapshotErrorFrom } from './snapshot-error.ts';

export const DESCRIPTION_FILE = 'snapshot.json';
const MAKING_PREFIX = `${INTERNAL_PREFIX}making-`;
const TRASH_PREFIX = `${INTERNAL_PREFIX}deleting-`;

/** How much one store of a snapshot holds. */
export interface StoreSummary {
  /** Whether the store's folder existed (a store nobody wrote yet has none). */
  present: boolean;
  /** Buckets or containers. */
  folders: number;
  /** Keys or objects. */
  files: number;
  bytes: number;
}

export type SnapshotKind = 'manual' | 'before-restore' | 'imported' | 'seed';

/** What `snapshot.json` says. */
export interface SnapshotDescription {
  name: string;
  note: string;
  kind: SnapshotKind;
  /** When the data was taken (ms since the epoch); an import keeps the original time. */
  createdAt: number;
  /** The project it was taken from. */
  project: string;
  keyvalue: StoreSummary;
  blobstore: StoreSummary;
  volumes: { guestPath: string; files: number; bytes: number }[];
  /** Files shared with the data by hard links, and files copied, when it was taken. */
  linked: number;
  copied: number;
}

const summary = z.object({ present: z.boolean(), folders: z.number().int().nonnegative(), files: z.number().int().nonnegative(), bytes: z.number().nonnegative() });
export const descriptionSchema = z.object({
  name: z.string().min(1).max(200),
  note: z.string().max(10_000),
  kind: z.enum(['manual', 'before-restore', 'imported', 'seed']),
  createdAt: z.number(),
  project: z.string().max(1000),
  keyvalue: summary,
  blobstore: summary,
  volumes: z.array(z.object({ guestPath: z.string().max(4096), files: z.number().int().nonnegative(), bytes: z.number().nonnegative() })).max(100),
  linked: z.number().int().nonnegative(),
  copied: z.number().int().nonnegative(),
});

export interface CatalogueEntry {
  name: string;
  /** The snapshot's folder. */
  dir: string;
  /** Undefined when `snapshot.json` cannot be read: the entry can only be deleted. */
  description: SnapshotDescription | undefined;
  /** Why it cannot be used, when it cannot. */
  problem?: string;
}

/** A snapshot being made: fill `dir`, then `commit` or `abort`. */
export interface NewSnapshot {
  readonly dir: string;
  commit(description: SnapshotDescription): Promise<CatalogueEntry>;
  abort(): Promise<void>;
}

/**
 * `base` + `suffix` as a snapshot name, with `base` cut short (ending in …) when the whole
 * would be too long: "before restoring <a long name>" must still be a name.
 */
function fittingName(base: string, suffix: string): string {
  const chars = [...base];
  for (let keep = chars.length; keep > 0; keep -= 8) {
    const name = keep === chars.length ? base + suffix : `${chars.slice(0, keep).join('').trimEnd()}…${suffix}`;
    try {
      snapshotFolderName(name);
      return name;
    } catch {
      // too long once encoded: cut more
    }
  }
  return `snapshot${suffix}`;
}

/** Control characters (C0 but tab and newline, DEL, C1) and bidirectional overrides and isolates. */
export const HIDDEN_CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/** The folder name of a snapshot name; a name that cannot be one is `snapshot-invalid-name`. */
export function snapshotFolderName(name: string): string {
  if (typeof name !== 'string' || name.trim() !== name || name.length === 0) {
    throw new SnapshotError('snapshot-invalid-name', `The snapshot name ${JSON.stringify(name)} is empty or starts or ends with a space.`, 'Give the snapshot a name such as "3 boards, 2 users".');
  }
  if (/[\r\n]/.test(name)) {
    throw new SnapshotError('snapshot-invalid-name', `The snapshot name ${JSON.stringify(name.slice(0, 300))} is more than one line.`, 'Snapshot names are one line of text; put the rest in the note (--note).');
  }
  // A name is printed in terminals and lists: no escape sequences, no text running backwards.
  if (HIDDEN_CONTROLS.test(name)) {
    throw new SnapshotError('snapshot-invalid-name', `The snapshot name ${JSON.stringify(name.slice(0, 300))} has control or text-direction characters.`, 'Use printable text for the name.');
  }
  try {
    return bucketFolderName(name, 'bucket');
  } catch (error) {
    const reason = error instanceof StoreError ? error.message.replace(/^The bucket name /, 'The snapshot name ') : String(error);
    throw new SnapshotError('snapshot-invalid-name', reason, 'Snapshot names are one line of text without "/" or "\\", at most 200 bytes.');
  }
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/** Why a part of a snapshot cannot be used, or undefined when it can: it is a folder, holding something when it should. */
function partProblem(path: string, holdsData: boolean): string | undefined {
  const info = lstatSync(path, { throwIfNoEntry: false });
  // A part with nothing in it may be absent: an archive keeps no folder for an empty store.
  if (!info) return holdsData ? 'is missing' : undefined;
  if (!info.isDirectory()) return 'is not a folder';
  if (!holdsData) return undefined;
  // One entry is enough to tell, however many the folder holds.
  const dir = opendirSync(path);
  try {
    return dir.readSync() ? undefined : 'is empty';
  } finally {
    dir.closeSync();
  }
}

/**
 * Refuses (`snapshot-incomplete`) a snapshot whose parts are not as its description says: a
 * store or volume it counts keys, buckets or files in whose folder is missing, empty or not a
 * folder. Only what is cheap is checked (the files are not counted), before anything is
 * changed. `volumes` are the indexes of the volumes to be used (default: all).
 */
export function checkSnapshotParts(entry: CatalogueEntry & { description: SnapshotDescription }, doing: 'restore' | 'export', volumes: readonly number[] = entry.description.volumes.map((_, index) => index)): void {
  const d = entry.description;
  const parts = [
    { what: 'key-value folder', path: join(entry.dir, 'keyvalue'), holds: `${plural(d.keyvalue.files, 'key')} in ${plural(d.keyvalue.folders, 'bucket')}`, holdsData: d.keyvalue.files + d.keyvalue.folders > 0 },
    { what: 'blob folder', path: join(entry.dir, 'blobstore'), holds: `${plural(d.blobstore.files, 'object')} in ${plural(d.blobstore.folders, 'container')}`, holdsData: d.blobstore.files + d.blobstore.folders > 0 },
    ...volumes.map((index) => {
      const volume = d.volumes[index]!;
      return { what: `folder of the volume ${volume.guestPath}`, path: join(entry.dir, 'volumes', String(index)), holds: plural(volume.files, 'file'), holdsData: volume.files > 0 };
    }),
  ];
  for (const part of parts) {
    const problem = partProblem(part.path, part.holdsData);
    if (!problem) continue;
    throw new SnapshotError(
      'snapshot-incomplete',
      `Cannot ${doing} the snapshot ${JSON.stringify(entry.name)}: its ${part.what} ${part.path} ${problem}, though its ${DESCRIPTION_FILE} says it holds ${part.holds}. Nothing was changed.`,
      'The snapshot was changed by another program. Delete it and use another one, or import it again from an exported copy.',
    );
  }
}

function uniqueSuffix(): string {
  return `${process.pid}-${Date.now().toString(36)}-${Math.floor(Math.random() * 0xffffff).toString(16)}`;
}

export class SnapshotCatalogue {
  /** Leftover folders being removed, by name. */
  private readonly cleaning = new Map<string, Promise<void>>();

  constructor(readonly dir: string) {}

  /** Every snapshot, newest first; leftovers of interrupted work are cleaned on the way. */
  list(): CatalogueEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return [];
      if (code === 'ENOTDIR') throw new SnapshotError('snapshot-failed', `The snapshots folder ${this.dir} is a file (or a file stands where a folder above it goes).`, 'Move that file away; the studio makes the folder with the first snapshot.');
      throw snapshotErrorFrom(error, `list the snapshots in ${this.dir}`);
    }
    const entries: CatalogueEntry[] = [];
    for (const name of names) {
      if (name.startsWith(INTERNAL_PREFIX)) {
        this.cleanLeftover(name);
        continue;
      }
      entries.push(this.read(name));
    }
    return entries.sort((a, b) => (b.description?.createdAt ?? 0) - (a.description?.createdAt ?? 0) || (a.name < b.name ? -1 : 1));
  }

  /** The snapshot named `name`, or `snapshot-not-found` naming the ones there are. */
  find(name: string): CatalogueEntry {
    const folder = snapshotFolderName(name);
    const entry = this.list().find((e) => e.name === name || e.dir === join(this.dir, folder));
    if (!entry) {
      const known = this.list().map((e) => e.name);
      // The folder is named: a command that took another argument for the project looked elsewhere.
      throw new SnapshotError('snapshot-not-found', `There is no snapshot named ${JSON.stringify(name)} in ${this.dir}.`, known.length > 0 ? `The snapshots are: ${known.map((n) => JSON.stringify(n)).join(', ')}.` : 'This project has no snapshots yet; take one first.');
    }
    return entry;
  }

  /** A usable snapshot: found, and its description readable. */
  usable(name: string): CatalogueEntry & { description: SnapshotDescription } {
    const entry = this.find(name);
    if (!entry.description) throw new SnapshotError('snapshot-damaged', `The snapshot ${JSON.stringify(name)} cannot be used: ${entry.problem}`, 'Delete it; its data folder is left as it was.');
    return entry as CatalogueEntry & { description: SnapshotDescription };
  }

  exists(name: string): boolean {
    return this.list().some((e) => e.name === name);
  }

  /** A name not taken yet: `base`, or `base (2)`, `base (3)`… */
  freeName(base: string): string {
    const taken = new Set(this.list().map((e) => e.name));
    for (let n = 1; ; n++) {
      const name = fittingName(base, n === 1 ? '' : ` (${n})`);
      if (!taken.has(name)) return name;
    }
  }

  /**
   * Starts a snapshot in a working folder. With a name, a name in use is refused now; the
   * name is settled at commit (an import learns it from the archive), which refuses one in use.
   */
  async begin(name?: string): Promise<NewSnapshot> {
    if (name !== undefined) this.refuseTaken(name);
    await mkdir(this.dir, { recursive: true });
    const dir = join(this.dir, MAKING_PREFIX + uniqueSuffix());
    await mkdir(dir);
    let done = false;
    return {
      dir,
      commit: async (description) => {
        const final = join(this.dir, snapshotFolderName(description.name));
        this.refuseTaken(description.name);
        done = true;
        await writeFile(join(dir, DESCRIPTION_FILE), `${JSON.stringify(description, null, 2)}\n`);
        syncFolder(dir);
        try {
          await rename(dir, final);
        } catch (error) {
          await rm(dir, { recursive: true, force: true });
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new SnapshotError('snapshot-exists', `A snapshot named ${JSON.stringify(description.name)} was made meanwhile.`, 'Pick another name.');
          throw error;
        }
        syncFolder(this.dir);
        return { name: description.name, dir: final, description };
      },
      abort: async () => {
        if (done) return;
        done = true;
        await rm(dir, { recursive: true, force: true });
      },
    };
  }

  private refuseTaken(name: string): void {
    const folder = snapshotFolderName(name);
    // On macOS and Windows "Demo" and "demo" would be one folder.
    if (this.list().some((e) => e.name === name || sameFileName(basename(e.dir), folder))) {
      throw new SnapshotError('snapshot-exists', `A snapshot named ${JSON.stringify(name)} already exists.`, 'Pick another name (an import takes --name NAME in the CLI), or delete the old snapshot first.');
    }
  }

  /** Deletes a snapshot (renamed away first, so it is gone at once even if removal is cut short). */
  async remove(name: string): Promise<void> {
    const entry = this.find(name);
    const trash = join(this.dir, TRASH_PREFIX + uniqueSuffix());
    await rename(entry.dir, trash);
    syncFolder(this.dir);
    await rm(trash, { recursive: true, force: true });
  }

  private read(folder: string): CatalogueEntry {
    const dir = join(this.dir, folder);
    const fallbackName = decodeSegment(folder);
    let text: string;
    try {
      text = readFileSync(join(dir, DESCRIPTION_FILE), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const problem = code === 'ENOENT' || code === 'ENOTDIR' ? `${join(dir, DESCRIPTION_FILE)} is missing.` : `${join(dir, DESCRIPTION_FILE)} cannot be read (${code}).`;
      return { name: fallbackName, dir, description: undefined, problem };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { name: fallbackName, dir, description: undefined, problem: `${join(dir, DESCRIPTION_FILE)} is not JSON.` };
    }
    const checked = descriptionSchema.safeParse(parsed);
    if (!checked.success) return { name: fallbackName, dir, description: undefined, problem: `${join(dir, DESCRIPTION_FILE)} does not describe a snapshot (${checked.error.issues[0]?.path.join('.') ?? ''}).` };
    return { name: checked.data.name, dir, description: checked.data };
  }

  private cleanLeftover(name: string): void {
    const prefix = name.startsWith(MAKING_PREFIX) ? MAKING_PREFIX : name.startsWith(TRASH_PREFIX) ? TRASH_PREFIX : undefined;
    if (!prefix) return;
    const pid = Number.parseInt(name.slice(prefix.length), 10);
    if (processRunning(pid) || this.cleaning.has(name)) return;
    const removing = rm(join(this.dir, name), { recursive: true, force: true })
      .catch(() => {}) // tried again at the next listing
      .finally(() => this.cleaning.delete(name));
    this.cleaning.set(name, removing);
  }

  /** Waits for the removal of leftovers to end: a command-line run that exits at once would cut it short. */
  async settled(): Promise<void> {
    await Promise.all(this.cleaning.values());
  }
}
