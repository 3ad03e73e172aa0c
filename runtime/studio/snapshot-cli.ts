// `component-studio snapshot …`: the command line of dev-data snapshots, and what `dev` runs
// so those commands reach it.
//
//   snapshot save NAME [dir] [--note TEXT]     snapshot list [dir]
//   snapshot restore NAME [dir]                snapshot delete NAME [dir]
//   snapshot export NAME FILE [dir]            snapshot import FILE [dir] [--name NAME]
//
// When a studio runs on the project's data, the command is the studio's to run (through the
// snapshot channel), so its journal and its running instances take part. Otherwise the CLI
// opens the data folders itself, as their owner for the moment, and prints to stderr what
// opening them repaired, as `dev` does. Every failure is one sentence and a hint, and a
// non-zero exit.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import { describe, messageOf, StudioFailure, type StudioError } from '../errors.ts';
import { nameFiles } from '../project/project-marks.ts';
import type { DevSession } from '../session/dev-session.ts';
import { dataFoldersFor } from '../snapshots/data-folders.ts';
import { openLiveData } from '../snapshots/live-data.ts';
import { ProjectSnapshots } from '../snapshots/project-snapshots.ts';
import { HIDDEN_CONTROLS } from '../snapshots/snapshot-catalogue.ts';
import { SnapshotError } from '../snapshots/snapshot-error.ts';
import type { ComparisonView, SnapshotView } from './api.ts';
import { parseArgs as parseCommandArgs } from './command-args.ts';
import { askRunningStudio, startSnapshotChannel, type ChannelCommand, type SnapshotChannel } from './snapshot-channel.ts';
import { SnapshotCommands, snapshotView } from './snapshot-commands.ts';
import { argumentError } from '../cli-argument-error.ts';

export const SNAPSHOT_USAGE = `Usage: component-studio snapshot <command> [dir]

Saves, restores and shares the key-value and blob data of a project (dir, default: .).
When a studio runs on the project, it does the work, so its running component sees it.

Commands:
  snapshot save NAME [dir] [--note TEXT]    take a snapshot of the data now
  snapshot list [dir]                       list the snapshots, newest first
  snapshot restore NAME [dir]               put a snapshot's data back (the data before it
                                            is kept as "before restoring NAME")
  snapshot delete NAME [dir]                delete a snapshot
  snapshot export NAME FILE [dir] [--force] write a snapshot to FILE (.tar.gz); --force replaces a FILE that exists
  snapshot import FILE [dir] [--name NAME]  add a snapshot from an exported FILE
`;

/** What the CLI prints, from the answers both ways give. */
type Out = (text: string) => void;

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "12 keys in 2 buckets, 3 objects in 1 container (4.5 MiB)" */
export function describeSnapshot(view: SnapshotView): string {
  const bytes = view.keyvalue.bytes + view.blobstore.bytes + view.volumes.reduce((sum, v) => sum + v.bytes, 0);
  const volumes = view.volumes.length > 0 ? `, ${plural(view.volumes.length, 'volume')}` : '';
  return `${plural(view.keyvalue.files, 'key')} in ${plural(view.keyvalue.folders, 'bucket')}, ${plural(view.blobstore.files, 'object')} in ${plural(view.blobstore.folders, 'container')}${volumes} (${sizeText(bytes)})`;
}

/** The warning for entries an export left out of its archive (see snapshots.export). */
function leftOutText(leftOut: readonly string[]): string {
  return `left out of the archive, which cannot hold links, pipes or names that are not UTF-8: ${nameFiles(leftOut)}. The snapshot itself still has ${leftOut.length === 1 ? 'it' : 'them'}; restore it to get ${leftOut.length === 1 ? 'it' : 'them'} back.`;
}

function timeText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

class Usage extends Error {}

/** Runs one snapshot command; returns the exit code. */
export async function runSnapshotCli(argv: string[], out: Out, err: Out): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { note: { type: 'string' }, name: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    err(`${pc.red('error')} ${argumentError(error)}\n\n${SNAPSHOT_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    out(SNAPSHOT_USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  try {
    const run = plan(command, rest, values);
    const folders = await dataFoldersFor(run.dir);
    const asked = await askRunningStudio(folders, run.command, run.args);
    if (asked.handled) {
      run.print(asked.result, out, `studio, process ${asked.pid}`, err);
      if (run.followUp) {
        const next = await askRunningStudio(folders, run.followUp.command, run.followUp.args(asked.result));
        if (next.handled) run.followUp.print(next.result, out);
      }
      return 0;
    }
    const live = openLiveData(folders);
    try {
      // What opening the folders repaired (a restore a kill cut short, a journal replayed) is
      // said as `dev` says it, before the command's own output.
      if (live.opened.replayed > 0) err(`${pc.dim(`keyvalue: replayed ${plural(live.opened.replayed, 'journaled write')} after an unclean stop`)}\n`);
      for (const warning of live.opened.warnings) err(`${pc.yellow('warn')} ${warning}\n`);
      const snapshots = new ProjectSnapshots(() => live);
      const result = await direct(snapshots, run.command, run.args);
      run.print(result, out, undefined, err);
      if (run.followUp) run.followUp.print(await direct(snapshots, run.followUp.command, run.followUp.args(result)), out);
      await snapshots.catalogue.settled();
    } finally {
      live.close();
    }
    return 0;
  } catch (error) {
    if (error instanceof Usage) {
      err(`${pc.red('error')} ${error.message}\n\n${SNAPSHOT_USAGE}`);
      return 2;
    }
    const described: StudioError =
      error instanceof StudioFailure ? error.error : error instanceof SnapshotError ? error.toStudioError() : { code: 'internal', message: messageOf(error) };
    err(`${pc.red('error')} ${describe(described)}\n`);
    return 1;
  }
}

interface Plan {
  dir: string;
  command: ChannelCommand;
  args: Record<string, unknown>;
  /** `err` for warnings: stdout stays the command's own output, for scripts that read it. */
  print(result: unknown, out: Out, by: string | undefined, err: Out): void;
  /** A second question, whose answer completes the output (what an import would replace). */
  followUp?: { command: ChannelCommand; args(result: unknown): Record<string, unknown>; print(result: unknown, out: Out): void };
}

/** A note as the terminal shows it: an escape sequence from an imported archive is not run but shown as a dot. */
function printable(text: string): string {
  return text.replace(new RegExp(HIDDEN_CONTROLS.source, 'g'), '·');
}

function plan(command: string, rest: string[], values: { note?: string | undefined; name?: string | undefined; force?: boolean | undefined }): Plan {
  const take = (count: number, what: string): string[] => {
    if (rest.length < count) throw new Usage(`snapshot ${command} needs ${what}.`);
    if (rest.length > count + 1) throw new Usage(`snapshot ${command} takes ${what} and a project folder, got: ${rest.join(' ')}`);
    return rest;
  };
  const flagsFor = (allowed: string[]) => {
    for (const [flag, value] of Object.entries(values)) if (value !== undefined && !allowed.includes(flag)) throw new Usage(`snapshot ${command} does not take --${flag}.`);
  };
  const by = (who: string | undefined) => (who ? pc.dim(` (by the ${who})`) : '');
  switch (command) {
    case 'save': {
      flagsFor(['note']);
      const [name, dir = '.'] = take(1, 'a NAME');
      return {
        dir,
        command: 'snapshots.save',
        args: { name: name!, ...(values.note !== undefined ? { note: values.note } : {}) },
        print: (result, out, who) => out(`saved ${JSON.stringify(name)}: ${describeSnapshot(result as SnapshotView)}${by(who)}\n`),
      };
    }
    case 'list': {
      flagsFor([]);
      const [dir = '.'] = take(0, 'nothing but');
      return {
        dir,
        command: 'snapshots.list',
        args: {},
        print: (result, out) => {
          const { snapshots, folder } = result as { snapshots: SnapshotView[]; folder: string };
          if (snapshots.length === 0) {
            out(`no snapshots yet (they are kept in ${folder})\n`);
            return;
          }
          for (const s of snapshots) {
            const what = s.problem ? pc.red(`cannot be used: ${s.problem}`) : describeSnapshot(s);
            out(`${pc.bold(s.name)}  ${pc.dim(s.createdAt ? timeText(s.createdAt) : '')}  ${what}${s.note ? `\n    ${printable(s.note)}` : ''}\n`);
          }
        },
      };
    }
    case 'restore': {
      flagsFor([]);
      const [name, dir = '.'] = take(1, 'a NAME');
      return {
        dir,
        command: 'snapshots.restore',
        args: { name: name! },
        print: (result, out, who) => {
          const { before } = result as { before: SnapshotView };
          out(`restored ${JSON.stringify(name)}${by(who)}; the data before it is kept as ${JSON.stringify(before.name)} (restore that to undo)\n`);
        },
      };
    }
    case 'delete': {
      flagsFor([]);
      const [name, dir = '.'] = take(1, 'a NAME');
      return { dir, command: 'snapshots.delete', args: { name: name! }, print: (_result, out, who) => out(`deleted ${JSON.stringify(name)}${by(who)}\n`) };
    }
    case 'export': {
      flagsFor(['force']);
      const [name, file, dir = '.'] = take(2, 'a NAME and a FILE');
      return {
        dir,
        command: 'snapshots.export',
        args: { name: name!, file: resolve(file!), ...(values.force ? { overwrite: true } : {}) },
        print: (result, out, who, err) => {
          const { bytes, leftOut } = result as { bytes: number; leftOut: string[] };
          out(`exported ${JSON.stringify(name)} to ${resolve(file!)} (${sizeText(bytes)})${by(who)}\n`);
          if (leftOut.length > 0) err(`${pc.yellow('warn')} ${leftOutText(leftOut)}\n`);
        },
      };
    }
    case 'import': {
      flagsFor(['name']);
      const [file, dir = '.'] = take(1, 'a FILE');
      return {
        dir,
        command: 'snapshots.import',
        args: { file: resolve(file!), ...(values.name !== undefined ? { name: values.name } : {}) },
        print: (result, out, who) => {
          const view = result as SnapshotView;
          out(`imported ${JSON.stringify(view.name)} from ${resolve(file!)}: ${describeSnapshot(view)}${by(who)}\n`);
          if (view.volumes.length > 0) out(`restoring it also replaces the volume${view.volumes.length > 1 ? 's' : ''} ${view.volumes.map((v) => v.guestPath).join(', ')} whole, where the project has ${view.volumes.length > 1 ? 'them' : 'it'} (volumes are not compared)\n`);
        },
        followUp: {
          command: 'snapshots.compare',
          args: (result) => ({ to: (result as SnapshotView).name }),
          print: (result, out) => {
            const c = result as ComparisonView;
            out(c.added + c.removed + c.changed === 0 ? 'restoring it would change nothing: the data is the same\n' : `restoring it would replace the current data: ${c.changed} changed, ${c.removed} removed, ${c.added} added (keys and objects)\n`);
          },
        },
      };
    }
    default:
      throw new Usage(`unknown snapshot command "${command}".`);
  }
}

/** Runs a command on the folders directly (no studio runs on them). */
async function direct(snapshots: ProjectSnapshots, command: ChannelCommand, args: Record<string, unknown>): Promise<unknown> {
  const checked = parseCommandArgs(command, args);
  if (!checked.ok) throw new Usage(checked.message);
  const a = checked.value as Record<string, string | undefined> & { overwrite?: boolean };
  switch (command) {
    case 'snapshots.list':
      return { folder: snapshots.catalogue.dir, snapshots: snapshots.list().map(snapshotView) };
    case 'snapshots.save':
      return snapshotView(await snapshots.save({ name: a.name!, ...(a.note !== undefined ? { note: a.note } : {}) }));
    case 'snapshots.restore': {
      const done = await snapshots.restore(a.name!);
      return { restored: snapshotView(done.restored), before: snapshotView(done.before) };
    }
    case 'snapshots.delete':
      await snapshots.delete(a.name!);
      return null;
    case 'snapshots.export':
      return snapshots.export(a.name!, a.file!, { overwrite: a.overwrite === true });
    case 'snapshots.import':
      return snapshotView(await snapshots.import(a.file!, a.name));
    case 'snapshots.compare':
      return snapshots.compare(a.from, a.to);
  }
}

/**
 * Listens for snapshot commands while `dev` runs: through the StudioService when there is a
 * UI (so the UI hears of them), else through the snapshot commands over the session. When the
 * channel cannot start, the studio runs without it: `warn` gets one line saying what does not
 * work then and how to fix it (default: this process's stderr).
 */
export async function serveSnapshotCommands(
  current: () => DevSession | undefined,
  service?: { call(command: string, args: unknown, from: 'terminal'): Promise<unknown> },
  warn: (text: string) => void = (text) => process.stderr.write(`${pc.yellow('warn')} ${text}\n`),
): Promise<Pick<SnapshotChannel, 'close'>> {
  const headless = service ? undefined : new SnapshotCommands(current, () => {}).handlers();
  const started = await startSnapshotChannel({
    keyvalueFolder: () => current()?.stores()?.keyvaluePath,
    call: async (command, args) => {
      if (service) return service.call(command, args, 'terminal');
      const checked = parseCommandArgs(command, args);
      if (!checked.ok) throw new StudioFailure({ code: 'bad-arguments', message: `${command}: ${checked.message}.` });
      try {
        return await (headless![command] as (a: unknown) => Promise<unknown>)(checked.value);
      } catch (error) {
        if (error instanceof StudioFailure) throw error;
        if (error instanceof SnapshotError) throw new StudioFailure(error.toStudioError());
        throw error;
      }
    },
  });
  if (started.ok) return started.value;
  warn(`${started.error.message} ${started.error.hint ?? ''}`.trim());
  // Nothing listens and no note was left: there is nothing to close.
  return { close: async () => {} };
}
