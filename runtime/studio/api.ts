// The Studio API: the one contract between the studio's Node side and its renderer. Commands
// are request/response; events are pushed. Both transports (WebSocket JSON in browser mode,
// Electron IPC) carry exactly these shapes, so this module holds types only and imports
// nothing at run time: the renderer may import it.
//
// Bytes cross as base64 strings (JSON has no bytes). Errors cross as ApiError.

import type { LogLevel, LogRecord, LogStream, OutboundCallRecord } from '../logs/log-record.ts';
import type { DeployCommands, DeployEvents } from './deploy-api.ts';
import type { RequestLogLine, TrafficCommands, TrafficEvents } from './traffic-api.ts';
export type * from './deploy-api.ts';
export type * from './traffic-api.ts';

export interface ApiError {
  code: string;
  message: string;
  hint?: string;
}

// Log records go to clients as the log bus keeps them; a build's text may carry ANSI colours.
export type { LogLevel, LogStream } from '../logs/log-record.ts';
export type LogRecordView = LogRecord;
/** One outbound HTTP call a component made, as its log record carries it. */
export type OutboundCallView = OutboundCallRecord;

export type BuildOutcome = 'running' | 'ok' | 'failed' | 'cancelled';

export interface BuildView {
  number: number;
  reason: string;
  startedAt: number;
  buildMs?: number;
  startMs?: number;
  totalMs?: number;
  outcome: BuildOutcome;
  error?: ApiError;
  /** The build tool's output (with ANSI colours) for a failed build. */
  output?: string;
}

export type WorkloadState = 'building' | 'running' | 'failed' | 'stopped';

/** One component a workload instantiates, and the calls across each link it imports through. */
export interface ChainNodeView {
  name: string;
  wasmPath: string;
  links: { import: string; component: string; export: string; calls: number }[];
}

/** Listening ports and open connections, and where each connection goes. */
export interface SocketsView {
  listening: { component: string; address: string }[];
  /** `virtual`: another component of the workload; `host-loopback`: this machine's loopback (the studio's fallback); `network`: anywhere else. */
  connections: { component: string; local: string; remote: string; route: 'virtual' | 'host-loopback' | 'network' }[];
}

/** How a service runs: its state, when it started again or will, how its last run ended. */
export interface ServiceView {
  state: 'starting' | 'running' | 'restarting' | 'stopped';
  /** Running since (ms since the epoch). */
  since?: number;
  /** Restarting at (ms since the epoch). */
  restartAt?: number;
  /** How the last run ended, e.g. "trapped: unreachable". */
  ended?: string;
  /** How many times it was started. */
  starts: number;
}

export interface WorkloadView {
  name: string;
  /** `http`: a component answering a route; `service`: the workload's wasi:cli/run service. */
  kind: 'http' | 'service';
  state: WorkloadState;
  /** The components it instantiates, providers first, itself last (just itself when nothing is linked). */
  chain: ChainNodeView[];
  /** For a service: how it runs. */
  service?: ServiceView;
  /** TCP sockets its components have open in the workload (virtual loopback or host). */
  sockets?: SocketsView;
  /** The build that produced the running version. */
  build: number | undefined;
  wasmPath: string | undefined;
  imports: string[];
  exports: string[];
  witText: string;
  /** Where it answers, e.g. http://127.0.0.1:8000/ or http://api.localhost:8000/. */
  urls: string[];
  requests: number;
  failures: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  workers: number;
  instanceStrategy: 'reuse' | 'fresh';
}

export interface ProjectView {
  /**
   * Which opening of a project this is: a new id each time the studio opens one (Settings →
   * Open or Create, `project.open`), even the same folder again. A client that shows a
   * project's data, traffic or drafts starts again when it changes.
   */
  session: string;
  /**
   * False for the moment after a project opens while the studio reads it (its traffic, checks
   * and data folders are not open yet, so asking for them now would find nothing or fail);
   * a 'project.changed' says when it turns true.
   */
  ready: boolean;
  kind: 'project' | 'file';
  name: string;
  /** Project root, or the .wasm file. */
  path: string;
  configPath: string | undefined;
  /** The bundled example the project is a copy of (`new --example`, Create), known by its WIT package `studio:<example>`. */
  example?: string;
  gatewayUrl: string | undefined;
  keyvaluePath: string;
  blobstorePath: string;
  /** Where the store paths came from: the config keys, or the studio's defaults. */
  keyvalueFrom: 'config' | 'default';
  blobstoreFrom: 'config' | 'default';
  builds: BuildView[];
}

export interface KvListResult {
  keys: string[];
  /** Pass back to get the next page; absent on the last page. */
  cursor?: string;
  /** Keys in the bucket (may be approximate for huge buckets). */
  total?: number;
}

export interface KvValue {
  /** base64 */
  value: string;
  size: number;
}

export interface BlobObjectView {
  name: string;
  size: number;
  modified: number;
  contentType: string;
}

export interface BlobListResult {
  objects: BlobObjectView[];
  /** "Folders" under the prefix when a delimiter is given. */
  prefixes: string[];
  cursor?: string;
}

export interface HttpRequestSpec {
  method: string;
  /** Absolute, or relative to the gateway (e.g. "/qrcode"). */
  url: string;
  headers: [string, string][];
  /** base64, or absent for no body. */
  body?: string;
  timeoutMs?: number;
}

export interface HttpResponseView {
  status: number;
  statusText: string;
  headers: [string, string][];
  /** base64 of the body, cut at `maxBodyBytes`. */
  body: string;
  size: number;
  truncated: boolean;
  timeMs: number;
  /** For a request to the studio's own gateway: its id in the captured traffic, what its component logged and the outbound calls it made while serving it. */
  trafficId?: number;
  logs?: RequestLogLine[];
  outbound?: OutboundCallView[];
}

export interface SettingsView {
  projectPath: string;
  port: number | undefined;
  keyvaluePath: string;
  blobstorePath: string;
  /** wash's config as merged for the project; absent for a .wasm file, and until the config was first read. */
  config?: ConfigSourcesView;
  instances: InstancesView;
  /** `outbound` in .wash/studio.yaml: what components' outgoing HTTP may reach, and what answers instead. */
  outbound: OutboundView;
  /** `env` in .wash/studio.yaml: the components' environment (wasi:cli/environment). */
  environment: [string, string][];
}

/** A stand-in as .wash/studio.yaml holds it (the same keys). */
export interface StandInView {
  /** `METHOD URL-GLOB`, `* URL-GLOB` or just the glob. */
  match: string;
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  body_file?: string;
  forward?: string;
}

export interface OutboundView {
  /** The file a change writes: a project's .wash/studio.yaml, or the one beside a .wasm file. */
  settingsPath?: string;
  /** Whether the UI may change it: for a project (a .wasm file's is read at its next reload, so it is edited by hand). */
  editable: boolean;
  offline: boolean;
  /** As written, relative to the project. */
  caFiles: string[];
  standIns: StandInView[];
  /** The file could not be read: why (what it shows is then empty). */
  problem?: ApiError;
}

/** `reuse`: an instance serves request after request. `fresh`: a new one per request, as wash rc.6 does. */
export type InstanceMode = 'reuse' | 'fresh';

/** How the workloads use instances, and why. */
export interface InstancesView {
  mode: InstanceMode;
  /** --instances, `instances` in .wash/studio.yaml, the default (reuse), or a switch that lasts for this run (a .wasm file). */
  from: 'flag' | 'studio-settings' | 'default' | 'this-run';
  /** The project's .wash/studio.yaml, which a switch writes; absent for a .wasm file. */
  settingsPath?: string;
}

/** Where one value of the effective wash config came from: a layer, or the studio's default. */
export type ConfigOriginView = { kind: 'default' } | { kind: 'user' | 'project'; file: string } | { kind: 'env'; variable: string };

export interface ConfigValueView {
  /** Dotted key path, e.g. `build.command` or `build.env.RUSTFLAGS`; a list is one value. */
  key: string;
  /** The value as JSON text. */
  value: string;
  origin: ConfigOriginView;
  /** Command-line flags that win over this value (`--port 0` over dev.address), if any. */
  overriddenBy?: string;
}

/** The layers wash merges, lowest first: defaults < user config < project config < WASH_* variables. */
export interface ConfigSourcesView {
  /** Where wash looks for the user's config, and the file it found there. */
  userConfigDir: string;
  userConfigPath?: string;
  projectConfigPath?: string;
  /** The WASH_* variables that set top-level keys. */
  envVariables: string[];
  /** Every effective value with its origin, sorted by key. */
  values: ConfigValueView[];
}

/** How much one store of a snapshot holds. */
export interface SnapshotStoreView {
  /** Whether the store's folder existed when it was taken. */
  present: boolean;
  /** Buckets or containers. */
  folders: number;
  /** Keys or objects. */
  files: number;
  bytes: number;
}

/** A snapshot of the project's data (docs/snapshots.md). */
export interface SnapshotView {
  name: string;
  note: string;
  /** `before-restore`: kept automatically by a restore, so it can be undone. */
  kind: 'manual' | 'before-restore' | 'imported' | 'seed';
  createdAt: number;
  project: string;
  keyvalue: SnapshotStoreView;
  blobstore: SnapshotStoreView;
  /** dev.volumes it holds, by guest path. */
  volumes: { guestPath: string; files: number; bytes: number }[];
  /** Set when the snapshot cannot be used (its description is unreadable); it can still be deleted. */
  problem?: string;
}

export interface SnapshotsView {
  /** Where the snapshots are kept. */
  folder: string;
  snapshots: SnapshotView[];
  /** The project's dev.volumes, which a snapshot may include. */
  volumes: { guestPath: string; hostPath: string }[];
  /** Seed data the project ships; `dataEmpty` while the data folders hold nothing (offer it then). */
  seed?: { file: string; dataEmpty: boolean };
}

/** One key or object that differs between two states of the data. */
export interface DataChangeView {
  store: 'keyvalue' | 'blobstore';
  bucket: string;
  /** Absent when a whole empty bucket or container came or went. */
  key?: string;
  change: 'added' | 'removed' | 'changed';
  before?: number;
  after?: number;
  /** Where the value is in either state, for snapshots.value. */
  path: string;
}

export interface ComparisonView {
  changes: DataChangeView[];
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  /** More changes than listed; the counts are whole. */
  truncated: boolean;
}

/** An archive checked and unpacked, waiting for snapshots.import (or snapshots.discardImport). */
export interface ImportPreview {
  staged: string;
  snapshot: SnapshotView;
  exportedAt: number;
  /** A snapshot with the archive's name exists already: import it under another name. */
  nameTaken: boolean;
  /** What restoring it would change in the live data. */
  /** Keys and objects compared with the live data; `volumes`: guest paths of dev.volumes a restore would replace whole (not compared). */
  restoreWould: { added: number; removed: number; changed: number; volumes: string[] };
}

/** A bundled example, as `component-studio new` lists it. */
export interface ExampleView {
  name: string;
  /** What it shows, in a few words. */
  summary: string;
}

/** Every command: its arguments and its result. */
export interface Commands extends DeployCommands, TrafficCommands {
  'project.get': { args: Record<string, never>; result: ProjectView };
  /** `confirm` opens a system or home folder, which otherwise fails with project-needs-confirmation. */
  'project.open': { args: { path: string; confirm?: boolean }; result: ProjectView };
  'project.rebuild': { args: Record<string, never>; result: null };
  /** The examples a new project can start from, the default first. */
  'project.examples': { args: Record<string, never>; result: ExampleView[] };
  /** The projects opened before, newest first (the desktop app's File > Open Recent). */
  'project.recent': { args: Record<string, never>; result: string[] };
  /** Makes a project at `path` (missing or empty) from an example (default: hello) and opens it. */
  'project.create': { args: { path: string; example?: string }; result: ProjectView };
  'workloads.list': { args: Record<string, never>; result: WorkloadView[] };
  'workloads.restart': { args: { name: string }; result: null };
  'workloads.stop': { args: { name: string }; result: null };
  /** Switches how instances are used; a project keeps the choice in .wash/studio.yaml. */
  'workloads.setInstances': { args: { mode: InstanceMode }; result: InstancesView };
  'logs.query': {
    args: { minLevel?: LogLevel; sources?: string[]; text?: string; stream?: LogStream; afterSeq?: number; beforeSeq?: number; limit?: number };
    result: { records: LogRecordView[]; total: number; sources: string[] };
  };
  'logs.clear': { args: Record<string, never>; result: null };
  'kv.buckets': { args: Record<string, never>; result: string[] };
  'kv.createBucket': { args: { bucket: string }; result: null };
  'kv.deleteBucket': { args: { bucket: string }; result: null };
  'kv.list': { args: { bucket: string; prefix?: string; cursor?: string; limit?: number }; result: KvListResult };
  /** `limit`: at most this many bytes of the value (a preview); `size` is always the whole value's. */
  'kv.get': { args: { bucket: string; key: string; limit?: number }; result: KvValue | null };
  'kv.set': { args: { bucket: string; key: string; value: string }; result: null };
  'kv.delete': { args: { bucket: string; key: string }; result: null };
  'kv.increment': { args: { bucket: string; key: string; delta: number }; result: { value: string } };
  'blob.containers': { args: Record<string, never>; result: { name: string; createdAt: number }[] };
  'blob.createContainer': { args: { container: string }; result: null };
  'blob.deleteContainer': { args: { container: string }; result: null };
  'blob.list': {
    args: { container: string; prefix?: string; delimiter?: string; cursor?: string; limit?: number };
    result: BlobListResult;
  };
  'blob.get': {
    args: { container: string; name: string; start?: number; end?: number };
    result: { data: string; object: BlobObjectView };
  };
  /** Uploads in parts: `offset` 0 starts (or restarts) an upload, `last` commits it. */
  'blob.put': { args: { container: string; name: string; data: string; offset: number; last: boolean }; result: BlobObjectView | null };
  'blob.delete': { args: { container: string; names: string[] }; result: null };
  'http.send': { args: HttpRequestSpec; result: HttpResponseView };
  'settings.get': { args: Record<string, never>; result: SettingsView };
  /** Sets offline mode and/or the stand-ins in a project's .wash/studio.yaml (keeping the rest of it); they apply to the next call. */
  'settings.setOutbound': { args: { offline?: boolean; standIns?: StandInView[] }; result: OutboundView };
  /** The UI's own state that outlives a launch (e.g. playground history), as JSON values. */
  'ui.state.get': { args: { key: string }; result: { value: unknown } };
  'ui.state.set': { args: { key: string; value: unknown }; result: null };
  'snapshots.list': { args: Record<string, never>; result: SnapshotsView };
  /** Takes a snapshot of the data now (writes wait a moment; nothing fails). */
  'snapshots.save': { args: { name: string; note?: string; volumes?: string[] }; result: SnapshotView };
  /** Swaps the snapshot's data in, keeping the current data as a "before restoring" snapshot. */
  'snapshots.restore': { args: { name: string }; result: { restored: SnapshotView; before: SnapshotView } };
  'snapshots.delete': { args: { name: string }; result: null };
  /** What changed from one state to another; an absent side is the live data. */
  'snapshots.compare': { args: { from?: string; to?: string }; result: ComparisonView };
  /** One value of a state by its path from a comparison; null where it is absent. At most 32 MiB at once. */
  'snapshots.value': { args: { source?: string; path: string; start?: number; end?: number }; result: { data: string; size: number } | null };
  /** Exports to `file` (the CLI), or to a download read with snapshots.download (the UI). */
  /** `overwrite`: replace a `file` that exists (else `file-exists`). */
  /** leftOut: entries an archive cannot hold (links, pipes, names not in UTF-8), as `keyvalue/<bucket>/<file>`; the archive has the rest. */
  'snapshots.export': { args: { name: string; file?: string; overwrite?: boolean }; result: { fileName: string; bytes: number; leftOut: string[]; file?: string; download?: string } };
  'snapshots.download': { args: { download: string; start: number; end: number }; result: { data: string } };
  /** Uploads an archive in parts, as blob.put does; the answer names the upload. */
  'snapshots.upload': { args: { upload?: string; data: string; offset: number; last: boolean }; result: { upload: string } };
  /** Checks and unpacks an uploaded archive (or a file, for the CLI), and says what importing it means. */
  'snapshots.inspect': { args: { upload?: string; file?: string }; result: ImportPreview };
  'snapshots.import': { args: { staged?: string; file?: string; name?: string }; result: SnapshotView };
  'snapshots.discardImport': { args: { staged: string }; result: null };
  /**
   * Loads the project's seed data (imported as "seed data" and restored). Over data folders
   * that are not empty only with `replace` (else `seed-would-replace`, nothing changed).
   */
  'snapshots.seed': { args: { replace?: boolean }; result: { restored: SnapshotView; before: SnapshotView } };
}

export type CommandName = keyof Commands;
export type CommandArgs<C extends CommandName> = Commands[C]['args'];
export type CommandResult<C extends CommandName> = Commands[C]['result'];

/** Every event and its payload. */
export interface Events extends DeployEvents, TrafficEvents {
  'project.changed': ProjectView;
  'build.changed': BuildView;
  'workloads.changed': WorkloadView[];
  /** New log records, batched. */
  'logs.appended': LogRecordView[];
  'logs.cleared': null;
  'kv.changed': { bucket: string; key?: string; kind: 'set' | 'delete' | 'bucket-created' | 'bucket-deleted' };
  'blob.changed': { container: string; name?: string; kind: 'set' | 'delete' | 'bucket-created' | 'bucket-deleted' };
  /** A snapshot was taken, restored, deleted or imported (by the UI or the CLI). */
  'snapshots.changed': SnapshotsView;
}

export type EventName = keyof Events;

/** The API as both transports expose it to the renderer. */
export interface StudioApi {
  call<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>>;
  /** Returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

/** WebSocket frames (browser mode). */
export type ClientFrame = { id: number; command: CommandName; args: unknown };
export type ServerFrame =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ApiError }
  | { event: EventName; payload: unknown };
