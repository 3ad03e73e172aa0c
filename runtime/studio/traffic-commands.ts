// The traffic.* and checks.* commands of the Studio API over the current session's traffic
// inspector, and its events: new records (batched), the list cleared, a check run finished.
// Replays and checks that ask for a throwaway copy of the data get one through the snapshot
// commands (data-sandbox.ts).
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import studioPackage from '../../package.json' with { type: 'json' };
import { StudioFailure, type StudioError } from '../errors.ts';
import type { DevSession } from '../session/dev-session.ts';
import { checkFileName, checkFromRecord, checksDir, loadCheckFiles, parseCheckFile, writeCheckFile } from '../traffic/check-file.ts';
import { fromHar, toHar } from '../traffic/har.ts';
import { DEFAULT_IGNORED_HEADERS, isText } from '../traffic/response-diff.ts';
import type { TrafficInspector } from '../traffic/traffic-inspector.ts';
import { summaryOf, type TrafficRecord } from '../traffic/traffic-record.ts';
import type { CheckFile } from '../traffic/traffic-results.ts';
import type { CommandArgs, CommandName, CommandResult, TrafficSettingsView, TrafficSummaryView } from './api.ts';
import { dataSandbox } from './data-sandbox.ts';
import type { SnapshotHandlers } from './snapshot-commands.ts';
import type { StudioEvent } from './studio-service.ts';

type TrafficCommandName = Extract<CommandName, `traffic.${string}` | `checks.${string}`>;

/** Methods whose requests a component should answer without changing its data. */
const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export type TrafficHandlers = { [C in TrafficCommandName]: (args: CommandArgs<C>) => Promise<CommandResult<C>> };

const APPEND_BATCH_MS = 100;
/** Records a filtered export or a replay of a whole build takes at most. */
const MAX_BATCH = 10_000;

export class TrafficCommands {
  private detach: (() => void) | undefined;
  private pending: TrafficSummaryView[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly sandbox;

  constructor(
    private readonly session: () => DevSession | undefined,
    private readonly emit: (event: StudioEvent) => void,
    snapshots: () => SnapshotHandlers,
  ) {
    this.sandbox = dataSandbox(snapshots);
  }

  /** Follows a session's inspector (its records and check runs) until the next attach or close. */
  attach(session: DevSession): void {
    this.close();
    const inspector = session.traffic;
    inspector.sandbox = this.sandbox;
    const offRecords = inspector.store.subscribe((record) => {
      this.pending.push(summaryOf(record));
      this.timer ??= setTimeout(() => this.flush(), APPEND_BATCH_MS);
    });
    const offRuns = inspector.onCheckRun((run) => this.emit({ event: 'checks.ran', payload: run }));
    this.detach = () => {
      offRecords();
      offRuns();
    };
  }

  close(): void {
    this.detach?.();
    this.detach = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }

  private flush(): void {
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.emit({ event: 'traffic.appended', payload: batch });
  }

  private inspector(): TrafficInspector {
    const session = this.session();
    if (!session) throw new StudioFailure({ code: 'no-project', message: 'No project is open.', hint: 'Open a project folder or a .wasm file first.' });
    return session.traffic;
  }

  private checksFolder(): string {
    const folder = this.inspector().folder;
    if (!folder) throw new StudioFailure({ code: 'no-project', message: 'The project is not open yet.', hint: 'Wait for it to open.' });
    return checksDir(folder);
  }

  private settingsView(): TrafficSettingsView {
    const inspector = this.inspector();
    const folder = inspector.folder;
    return {
      enabled: inspector.settings.enabled,
      bodyLimit: inspector.settings.bodyLimit,
      capacity: inspector.store.capacity,
      defaultIgnoredHeaders: DEFAULT_IGNORED_HEADERS,
      ...(folder ? { folder: join(folder, 'studio', 'traffic') } : {}),
    };
  }

  handlers(): TrafficHandlers {
    return {
      'traffic.query': async ({ filter, offset, limit }) => {
        const store = this.inspector().store;
        const page = store.query(filter ?? {}, offset ?? 0, limit ?? 200);
        const builds = offset ? [] : store.builds();
        return { records: page.records, total: page.total, newestId: page.newestId, size: store.size, capacity: store.capacity, builds };
      },
      'traffic.get': async ({ id }) => {
        const store = this.inspector().store;
        const record = await store.get(id);
        if (!record) return null;
        const bodies = await store.bodiesOf(id);
        return { record, requestBody: base64(bodies?.request), responseBody: base64(bodies?.response), bodiesKept: bodies !== undefined };
      },
      'traffic.clear': async () => {
        await this.inspector().store.clear();
        this.pending = [];
        this.emit({ event: 'traffic.cleared', payload: null });
        return null;
      },
      'traffic.settings': async () => this.settingsView(),
      'traffic.configure': async (change) => {
        await this.inspector().configure(change);
        return this.settingsView();
      },
      'traffic.exportHar': async ({ ids, filter }) => {
        const store = this.inspector().store;
        const chosen = ids ?? store.matchingIds(filter ?? {}).slice(0, MAX_BATCH).reverse();
        const records = (await Promise.all(chosen.map((id) => store.get(id)))).filter((r): r is TrafficRecord => r !== undefined);
        const entries = [];
        for (const record of records) entries.push({ record, bodies: await store.bodiesOf(record.id) });
        const exported = toHar(entries, studioPackage.version);
        return { har: JSON.stringify(exported.har, null, 2), entries: entries.length, omittedBodies: exported.omittedBodies };
      },
      'traffic.importHar': async ({ har }) => {
        const read = fromHar(har);
        if (!read.ok) throw new StudioFailure({ code: 'har-invalid', message: `This is not a HAR 1.2 file: ${read.problems.join('; ')}.`, hint: 'Export HAR from a browser\'s network panel (Save all as HAR) or from the studio.' });
        const store = this.inspector().store;
        for (const { record, bodies } of read.entries) store.add(record, bodies);
        return { imported: read.entries.length, ids: read.entries.map((e) => e.record.id), skipped: read.skipped };
      },
      'traffic.replay': async ({ ids, build, data, ignoreHeaders }) => {
        const inspector = this.inspector();
        const chosen = ids ?? (build !== undefined ? inspector.store.matchingIds({ build, origins: ['client', 'imported'] }).slice(0, MAX_BATCH) : []);
        if (chosen.length === 0) throw new StudioFailure({ code: 'nothing-to-replay', message: build !== undefined ? `No captured request of build ${build} is left to replay.` : 'No request was chosen.', hint: 'Pick requests in the list, or a build that served some.' });
        const report = await inspector.replay(chosen, { data: data ?? 'live', ignoredHeaders: ignoreHeaders ?? DEFAULT_IGNORED_HEADERS });
        if ('error' in report) throw new StudioFailure({ code: 'not-serving', message: report.error, hint: 'Wait for a build to serve, then replay.' });
        return report;
      },
      'checks.list': async () => {
        const inspector = this.inspector();
        const folder = inspector.folder ? checksDir(inspector.folder) : undefined;
        const lastRun = inspector.lastRun;
        if (!folder) return { files: [], ...(lastRun ? { lastRun } : {}) };
        const files = await loadCheckFiles(folder);
        return { folder, files: files.ok ? files.value : [], ...(files.ok ? {} : { error: files.error }), ...(lastRun ? { lastRun } : {}) };
      },
      'checks.pin': async ({ ids, kind, file, ignoreHeaders }) => {
        const folder = this.checksFolder();
        const name = unwrap(checkFileName(file ?? 'checks.json'));
        const store = this.inspector().store;
        const existing = await readCheckFile(folder, name);
        const content: CheckFile = existing ?? { ...(ignoreHeaders ? { ignoreHeaders } : {}), checks: [] };
        // Pinning a request again adds no second copy of its check.
        const known = new Set(content.checks.map((check) => JSON.stringify(check)));
        let added = 0;
        let writes = 0;
        for (const id of ids) {
          const record = await store.get(id);
          const bodies = await store.bodiesOf(id);
          if (!record || !bodies) throw new StudioFailure({ code: 'traffic-gone', message: `Request ${id} is no longer in the captured traffic.`, hint: 'Pin a request from the list as it is now.' });
          if (record.requestCut || record.responseCut) throw new StudioFailure({ code: 'checks-invalid', message: `${record.method} ${record.path} has a body over the capture's limit, so its check would not be whole.`, hint: 'Raise the body limit, send the request again, and pin that one.' });
          const check = unwrap(checkFromRecord(record, bodies, kind, isText));
          const text = JSON.stringify(check);
          if (known.has(text)) continue;
          known.add(text);
          content.checks.push(check);
          added++;
          if (!READ_ONLY_METHODS.has(check.request.method.toUpperCase())) writes++;
        }
        if (added > 0) await writeCheckFile(folder, name, content);
        return { file: name, added, liveWrites: content.data === 'copy' ? 0 : writes };
      },
      'checks.save': async ({ file, text }) => {
        const folder = this.checksFolder();
        const name = unwrap(checkFileName(file));
        const content = unwrap(parseCheckFile(name, text));
        return { name, path: await writeCheckFile(folder, name, content), content };
      },
      'checks.delete': async ({ file, index }) => {
        const folder = this.checksFolder();
        const name = unwrap(checkFileName(file));
        if (index === undefined) {
          await rm(join(folder, name), { force: true });
          return null;
        }
        const content = await readCheckFile(folder, name);
        if (!content || index >= content.checks.length) throw new StudioFailure({ code: 'checks-invalid', message: `${name} has no check number ${index + 1}.`, hint: 'List the checks again: the file may have changed.' });
        content.checks.splice(index, 1);
        await writeCheckFile(folder, name, content);
        return null;
      },
      'checks.run': async () => this.inspector().runChecks(),
    };
  }
}

async function readCheckFile(folder: string, name: string): Promise<CheckFile | undefined> {
  let text: string;
  try {
    text = await readFile(join(folder, name), 'utf8');
  } catch {
    return undefined;
  }
  return unwrap(parseCheckFile(name, text));
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: StudioError }): T {
  if (!result.ok) throw new StudioFailure(result.error);
  return result.value;
}

function base64(bytes: Uint8Array | undefined): string {
  return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') : '';
}
