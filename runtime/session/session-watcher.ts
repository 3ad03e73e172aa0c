// Which changes start a reload. A project reloads on a change of its sources; a bare .wasm
// on a rewrite of the file. What the studio and the component write themselves (build
// output, store folders, volumes inside the project) is not a change of the sources.
// A watcher that cannot start is a warning, never the end of the session; a path it cannot
// watch (a link loop, say) is a warning naming that path, and the rest is still watched.
import { basename, dirname, join, relative, resolve } from 'node:path';
import { isWithin } from '../path-within.ts';
import { messageOf } from '../errors.ts';
import type { Volume } from '../host/filesystem.ts';
import { ProjectWatcher } from '../watch/project-watcher.ts';
import type { BuildOutputs } from './build-outputs.ts';
import type { SessionNotes } from './session-notes.ts';
import type { Target } from './session-target.ts';

export interface WatchHooks {
  /** A change that needs a reload; `at` is when it was made. */
  onChange: (at: number) => void;
  /** What builds write: their own writes are not changes, anyone else's are. */
  outputs: BuildOutputs;
  /**
   * Folders the component reads and writes at run time (stores, volumes inside the project):
   * it reads them at run time, so their changes need no rebuild and are not reported.
   */
  dataDirs: () => string[];
  notes: SessionNotes;
  /** The studio's settings file (.wash/studio.yaml): a change of it is applied, not built. */
  settingsFile?: string;
  onSettingsFile?: () => void;
}

/** Starts watching the target; undefined when watching could not start (said as a warning). */
export async function watchTarget(target: Target, hooks: WatchHooks): Promise<ProjectWatcher | undefined> {
  const onError = (error: Error) => hooks.notes.warn(`Watching for changes failed: ${error.message}. Rebuild by hand with r + Enter until the studio restarts${limitHint(error)}.`);
  const base = target.kind === 'file' ? dirname(target.wasmPath) : target.root;
  // Once per session, not per watcher: the watcher is made again when the project folder comes back.
  const onSkip = (path: string, error: NodeJS.ErrnoException) =>
    hooks.notes.once(`unwatchable ${path}`, 'warn', `Not watching ${relative(base, path) || path} for changes (everything else is watched): ${whyUnwatchable(error)}.`);
  let watcher: ProjectWatcher;
  if (target.kind === 'file') {
    // A bare component: serve the new file whenever it is rewritten (e.g. by cargo). The
    // studio's own folder beside it is written under load (captured traffic): unwatched, it
    // costs no file-system calls per write.
    const folder = dirname(target.wasmPath);
    watcher = new ProjectWatcher(folder, { ignore: [target.dataDir, join(folder, '.wash', 'studio')], runtimeData: hooks.dataDirs, onError, onSkip }, (batch) => {
      // The studio's settings beside it (.wash/studio.yaml) apply as they are saved, as in a project.
      if (hooks.settingsFile && batch.paths.some((p) => resolve(folder, p) === hooks.settingsFile)) hooks.onSettingsFile?.();
      if (batch.paths.includes(basename(target.wasmPath))) hooks.onChange(batch.firstAt);
    });
  } else {
    // .wash/studio holds what the studio keeps while it runs (captured traffic, say): written
    // under load, it would otherwise rebuild the project again and again.
    const studioOutputs = [join(target.root, '.wash', 'build'), join(target.root, '.wash', 'data'), join(target.root, '.wash', 'studio'), target.dataDir];
    watcher = new ProjectWatcher(target.root, { ignore: studioOutputs, runtimeData: hooks.dataDirs, onError, onSkip }, (batch) => {
      const sameBytes = new Set(batch.sameBytes.map((p) => resolve(target.root, p)));
      needsReload(batch.paths.map((p) => resolve(target.root, p)), sameBytes, hooks).then(
        (reload) => reload && hooks.onChange(batch.firstAt),
        (err: unknown) => hooks.notes.warn(`Could not tell whether a change needs a rebuild: ${messageOf(err)}. Rebuild by hand with r + Enter if it did.`),
      );
    });
    watcher.keep(hooks.outputs.all);
  }
  try {
    await watcher.start();
    return watcher;
  } catch (err) {
    await watcher.close().catch(() => {});
    hooks.notes.warn(`Cannot watch ${target.kind === 'file' ? target.wasmPath : target.root} for changes: ${messageOf(err)}. Rebuild by hand with r + Enter (or the Rebuild button)${limitHint(err)}.`);
    return undefined;
  }
}

/**
 * The fix for the system's own limits on watching, after a `; `, or '' for any other error:
 * raising a limit does nothing for, say, a disk that is full.
 */
export function limitHint(error: unknown): string {
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  // inotify's limit on watched folders; ENOSPC from anything but a watch is a full disk.
  if (code === 'ENOSPC' && syscall === 'watch') return '; on Linux, raising fs.inotify.max_user_watches fixes this';
  if (code === 'EMFILE') return '; raising the open-file limit (ulimit -n; on Linux also fs.inotify.max_user_instances) fixes this';
  return '';
}

/** Why the watcher left a path out (see ProjectWatcher's onSkip), and the fix. */
function whyUnwatchable(error: NodeJS.ErrnoException): string {
  if (error.code === 'ELOOP') return 'it is a symbolic link that leads back to itself (a link loop). Point the link at a real file or folder, or remove it';
  return `it cannot be read (${error.code === 'EPERM' ? 'operation not permitted' : 'permission denied'}). Make it readable, or move it out of the project`;
}

/**
 * Whether changed files (absolute paths) need a reload. What a build writes is no change of
 * the sources. (Nor is what a component writes at run time into store folders or volumes
 * inside the project: the watcher does not report those, hooks.dataDirs.) The studio's
 * settings file needs no build either: the session applies it as it is.
 */
async function needsReload(paths: string[], sameBytes: ReadonlySet<string>, hooks: WatchHooks): Promise<boolean> {
  for (const path of paths) {
    if (path === hooks.settingsFile) {
      hooks.onSettingsFile?.();
      continue;
    }
    // A build regenerating a source with the bytes it had (a touch by hand still rebuilds).
    if (sameBytes.has(path) && hooks.outputs.building) continue;
    if (!hooks.outputs.isOutput(path) || (await hooks.outputs.changedOutsideABuild(path))) return true;
  }
  return false;
}

/** dev.volumes folders inside the project, not the project itself: data for run time, not sources. */
export function volumesInside(volumes: Volume[], root: string): string[] {
  // isWithin, not the text: Windows paths differ in case (`c:\` and `C:\`) and stay one folder.
  return volumes.map((v) => v.hostPath).filter((dir) => relative(root, dir) !== '' && isWithin(root, dir));
}
