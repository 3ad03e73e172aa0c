// Replaces everything in a data folder with other contents, as one step for the stores and
// crash-safely on disk: a restore puts a snapshot's files in place this way.
//
// The folder itself stays (its path, its descriptor held by watchers and volumes, the
// key-value journal, the owner file and uploads in progress, all named `.cs-*`); what moves
// is every other entry. The new contents are staged first in `<root>/.cs-restore-<pid>-<id>/new`
// (same disk, so each move is a rename). The swap then moves the old entries into `old/` and
// the new ones into the root, recording in `state` which half it is in. The caller holds the
// stores' gate shut meanwhile (StoreLocks.pause), so no store call sees the middle. A crash in
// the middle is finished at the next open (`finishRootSwaps`): back to the old contents when
// the new ones had not started moving in, forward to the new ones when they had.
//
// This module knows folder entries, not keys: it must not read or write values.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { renameRetrying, syncFolder } from './atomic-write.ts';
import { currentProcess, processRunning } from './process-identity.ts';
import { isInternalFileName, rawPath, SWAP_PREFIX } from './safe-names.ts';

const STATE_FILE = 'state';
/**
 * What to do when a crash cut the swap short, from the caller (a restore swaps several roots,
 * one after the other, and each is finished on its own: they may end up on different sides).
 */
const ADVICE_FILE = 'advice';

/** Where the swap is: `out` while the old entries leave, `in` while the new ones arrive, `done`. */
type SwapState = 'out' | 'in' | 'done';

export interface StagedSwap {
  /** The staging folder (inside the root). */
  readonly dir: string;
  /**
   * Names in the root that stay where they are (the studio's own files): every `.cs-` name in
   * a store's folder; only the staging folders in a volume, whose other names are all the user's.
   */
  readonly stays?: (name: string) => boolean;
  /** Fill this folder with the new contents, as they should stand in the root. */
  readonly newContents: string;
  /** Where the old contents are once swapped out (removed by `discard`). */
  readonly oldContents: string;
}

/** Makes the staging folder for a swap of `root`'s contents (the root must exist). */
export function stageSwap(root: string, stays: (name: string) => boolean = isInternalFileName): StagedSwap {
  // The process's start time beside its pid, where the system gives one: a pid that belongs to
  // another process by the next start must not keep the swap from being finished.
  const { pid, started } = currentProcess();
  const dir = join(root, `${SWAP_PREFIX}${pid}${started === undefined ? '' : `.${started}`}-${Date.now().toString(36)}-${Math.floor(Math.random() * 0xffffff).toString(16)}`);
  mkdirSync(join(dir, 'new'), { recursive: true });
  return { dir, newContents: join(dir, 'new'), oldContents: join(dir, 'old'), stays };
}

/** A volume's names all belong to its user but the staging folders of restores. */
export const swapsStay = (name: string): boolean => name.startsWith(SWAP_PREFIX);

/** Replaces the state file whole (temp file, rename): a crash leaves the old state or the new, never an empty file. */
function writeState(dir: string, state: SwapState): void {
  const temp = join(dir, `${STATE_FILE}.tmp`);
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, state);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameRetrying(temp, join(dir, STATE_FILE));
  syncFolder(dir);
}

function readState(dir: string): SwapState | undefined {
  try {
    const text = readFileSync(join(dir, STATE_FILE), 'utf8');
    return text === 'out' || text === 'in' || text === 'done' ? text : undefined;
  } catch {
    return undefined;
  }
}

/** The caller's advice for a swap cut short, as a sentence to append ('' when there is none). */
function readAdvice(dir: string): string {
  try {
    const advice = readFileSync(join(dir, ADVICE_FILE), 'utf8');
    return advice ? ` ${advice}` : '';
  } catch {
    return '';
  }
}

/**
 * The entries of a folder that are data, not the studio's own files, by the bytes of their
 * names: a name that is not UTF-8 would not survive a round trip through a string (its bytes
 * become U+FFFD), and then neither rename would find it.
 */
function dataEntries(dir: string, stays: (name: string) => boolean = isInternalFileName): Buffer[] {
  try {
    // latin1 keeps one character per byte, so the ASCII `.cs-` prefix reads the same.
    return readdirSync(dir, { encoding: 'buffer' }).filter((name) => !stays(name.toString('latin1')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Moves every data entry of `from` into `to` (renames, same disk), skipping names already there. */
function moveEntries(from: string, to: string, stays?: (name: string) => boolean): void {
  for (const name of dataEntries(from, stays)) {
    if (existsSync(rawPath(to, name))) continue;
    renameRetrying(rawPath(from, name), rawPath(to, name));
  }
}

/**
 * Swaps the root's data entries for the staged ones. Synchronous and quick (one rename per
 * top-level entry); the caller keeps store calls out meanwhile. Afterwards the old contents
 * are in `staged.oldContents` until `discardSwap`.
 */
export function swapRootContents(root: string, staged: StagedSwap, advice: string): void {
  mkdirSync(staged.oldContents, { recursive: true });
  writeFileSync(join(staged.dir, ADVICE_FILE), advice);
  writeState(staged.dir, 'out');
  syncFolder(staged.dir);
  moveEntries(root, staged.oldContents, staged.stays);
  writeState(staged.dir, 'in');
  moveEntries(staged.newContents, root, staged.stays);
  syncFolder(root);
  writeState(staged.dir, 'done');
}

/**
 * Puts the old contents back after a swap, or after one that failed halfway (a later step of
 * the same restore failed, or this one did). Only a swap that had started moving the new
 * contents in has any to move out of the root: before that, what is in the root is old data,
 * still to stay. Each step is recorded first, so a crash in the middle is finished forward
 * (moving new in) or back (moving old in), never leaving a mix.
 */
export function undoSwap(root: string, staged: StagedSwap): void {
  const prior = readState(staged.dir);
  if (prior === 'in' || prior === 'done') {
    if (prior === 'done') writeState(staged.dir, 'in');
    moveEntries(root, staged.newContents, staged.stays);
  }
  writeState(staged.dir, 'out');
  moveEntries(staged.oldContents, root, staged.stays);
  syncFolder(root);
  writeState(staged.dir, 'done');
}

/** Removes a staging folder and what it holds (the old contents after a swap). */
export function discardSwap(staged: Pick<StagedSwap, 'dir'>): void {
  rmSync(staged.dir, { recursive: true, force: true });
}

/**
 * Finishes swaps a crash cut short in `root` and removes staging folders of processes that
 * are gone. Returns one sentence per swap it had to finish, for the open report.
 */
export function finishRootSwaps(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root).filter((name) => name.startsWith(SWAP_PREFIX));
  } catch {
    return [];
  }
  const notes: string[] = [];
  for (const name of names) {
    const [, pidText, startedText] = /^(\d+)(?:\.(\d+))?-/.exec(name.slice(SWAP_PREFIX.length)) ?? [];
    const pid = Number(pidText);
    const started = startedText === undefined ? undefined : Number(startedText);
    // Our own staging folder is a restore under way on another thread of this process.
    if ((pid === process.pid && (started === undefined || started === currentProcess().started)) || processRunning(pid, started)) continue;
    const dir = join(root, name);
    const state = readState(dir);
    const advice = readAdvice(dir);
    if (state === 'out') {
      moveEntries(join(dir, 'old'), root);
      syncFolder(root);
      notes.push(`A restore into ${root} was cut short before the new data moved in; the data from before it was put back.${advice}`);
    } else if (state === 'in') {
      moveEntries(join(dir, 'new'), root);
      syncFolder(root);
      notes.push(`A restore into ${root} was cut short while the new data moved in; it was finished.${advice}`);
    } else if (state === 'done') {
      notes.push(`A restore into ${root} finished there, but the studio stopped before the whole restore had ended.${advice}`);
    } else if (dataEntries(join(dir, 'old')).length > 0) {
      // Data moved out, and no record says how far the swap got: nothing is guessed or removed.
      notes.push(`A restore into ${root} was cut short, and its record of how far it got cannot be read: the data from before it is kept in ${join(dir, 'old')} and the restored data in ${join(dir, 'new')}. Move back what belongs in ${root}, then delete ${dir}.${advice}`);
      continue;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return notes;
}
