// The captured traffic of a session: a ring of the newest records (10,000 by default), their
// bodies (in memory while recent, else read back from the spill file), and the log lines and
// outbound calls of each request, gathered from the log bus by request id while it runs.
// Queries (filters, pages, newest first) are answered here, in Node, so the Traffic view
// only ever holds a page.
//
// A kept record is its summary (what the list shows and filters look at) and where the spill
// file has it; until it is written, its JSON text. A record of objects (its headers, each a
// pair) would be dozens of objects for the garbage collector to copy as they survive, on every
// request; the whole record is read back (and parsed) when someone asks for it.
//
// Must not: hold more than its memory budget of bodies, or lose a line that arrives just
// after its request ended (a worker's batch may bring it a moment later).
import type { LogBus, LogRecord, OutboundCallRecord } from '../logs/log-bus.ts';
import { requestIdsAbove } from '../workloads/exchange.ts';
import { MAX_CAPTURED_LINE_CHARS, MAX_LINES_PER_REQUEST, statusClass, summaryOf, withRoom, type RequestLogLine, type TrafficBodies, type TrafficFilter, type TrafficRecord, type TrafficSummary } from './traffic-record.ts';
import { TrafficSpill, type SpillLocation } from './traffic-spill.ts';

export interface TrafficPage {
  records: TrafficSummary[];
  /** Records matching the filter (whatever the page). */
  total: number;
  /** The newest id in the store, to pin the next pages with `maxId`. */
  newestId: number;
}

export interface TrafficStoreOptions {
  capacity?: number;
  /** Bodies kept in memory beyond those waiting to be written (default 64 MiB). */
  memoryBytes?: number;
  logs: LogBus;
}

/** A kept record: what the list shows, when it joined (1, 2, …), and where the rest is; one object. */
type Entry = TrafficSummary & {
  seq: number;
  /** The record as JSON text, until the spill file has it (always, without a spill file). */
  json: string | undefined;
  /** Its bodies while they are in memory: the newest few, and those not written yet. */
  bodies: TrafficBodies | undefined;
  location: SpillLocation | undefined;
};

function entryOf(record: TrafficRecord, json: string | undefined, bodies: TrafficBodies | undefined, location: SpillLocation | undefined): Entry {
  return Object.assign(summaryOf(record), { seq: 0, json, bodies, location });
}

/** What the list shows of an entry. */
function summaryView(entry: Entry): TrafficSummary {
  const { seq: _seq, json: _json, bodies: _bodies, location: _location, ...summary } = entry;
  return summary;
}

/** Bodies kept in memory once written (within the byte budget): the detail pane's usual reads. */
const RECENT_BODIES = 256;

interface Gathered {
  logs: RequestLogLine[];
  outbound: OutboundCallRecord[];
}

export const DEFAULT_CAPACITY = 10_000;
const MAX_IN_FLIGHT = 10_000;

export class TrafficStore {
  /** Set by open() from the project's settings, before anything is kept. */
  capacity: number;
  /** In the order they joined: records join as their answers end, not in id order. */
  private records: Entry[] = [];
  private readonly byId = new Map<number, Entry>();
  private added = 0;
  /** Records kept per build, for the build filter's menu. */
  private readonly buildCounts = new Map<number, number>();
  /** Entries holding bodies in memory, oldest first (from `kept`), for the memory budget. */
  private withBodies: Entry[] = [];
  private kept = 0;
  private bodyBytes = 0;
  /** Requests still running, by id, with their lines once they log (most never do). */
  private readonly inFlight = new Map<number, Gathered | null>();
  private readonly listeners = new Set<(record: TrafficRecord) => void>();
  private readonly memoryBytes: number;
  private spill: TrafficSpill | undefined;
  private unsubscribe: (() => void) | undefined;
  /** The last query's matches, newest first, while nothing changed: paging through 100k records filters once. */
  private cached: { key: string; version: number; entries: Entry[] } | undefined;
  private version = 0;

  constructor(private readonly options: TrafficStoreOptions) {
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.memoryBytes = options.memoryBytes ?? 64 * 2 ** 20;
    this.unsubscribe = options.logs.subscribe((record) => this.onLog(record));
  }

  /** Keeps records in `dir` from now on, after reading what an earlier run left there; `capacity` changes the ring's size, and `dir` is made (with its parents) only inside `inside`, once there is a record. */
  async open(dir: string, capacity = this.capacity, inside?: string): Promise<void> {
    this.capacity = capacity;
    await this.spill?.close();
    const spill = new TrafficSpill({
      dir,
      ...(inside !== undefined ? { inside } : {}),
      capacity: this.capacity,
      warn: (text) => void this.options.logs.append({ level: 'warn', source: 'studio', text }),
      dropped: (lastId) => this.dropThrough(lastId),
    });
    const loaded = await spill.load();
    this.spill = spill;
    const known = new Set(this.records.map((r) => r.id));
    const earlier: Entry[] = [];
    for (const { record, location } of loaded) {
      if (known.has(record.id)) continue;
      // A record whose line is there but not its bodies keeps its text: the note says why.
      earlier.push(entryOf(record, location ? undefined : JSON.stringify(record), undefined, location));
    }
    this.records = [...earlier, ...this.records].slice(-this.capacity);
    for (const entry of this.records) {
      entry.seq = ++this.added;
      this.byId.set(entry.id, entry);
      if (earlier.includes(entry)) this.countBuild(entry, 1);
    }
    // Requests of this run are numbered after those of earlier runs.
    requestIdsAbove(loaded.reduce((max, l) => Math.max(max, l.record.id), 0));
    this.version++;
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.spill?.close();
  }

  /** Waits until every record so far is in the spill file. */
  async flush(): Promise<void> {
    await this.spill?.flush();
  }

  /** A request began: its log lines are gathered from now on. */
  begin(id: number): void {
    this.inFlight.set(id, null);
    // Every request ends (answered, failed or cut); this only guards against one that did not.
    if (this.inFlight.size > MAX_IN_FLIGHT) this.inFlight.delete(this.inFlight.keys().next().value!);
  }

  /** A request ended: it joins the ring with the lines gathered while it ran. */
  add(record: TrafficRecord, bodies: TrafficBodies): void {
    const gathered = this.inFlight.get(record.id);
    this.inFlight.delete(record.id);
    if (gathered) {
      record.logs = [...record.logs, ...gathered.logs];
      record.outbound = [...record.outbound, ...gathered.outbound];
    }
    const json = JSON.stringify(record);
    const entry = entryOf(record, json, bodies, undefined);
    entry.seq = ++this.added;
    this.records.push(entry);
    this.byId.set(record.id, entry);
    this.countBuild(entry, 1);
    this.withBodies.push(entry);
    this.bodyBytes += sizeOf(bodies);
    // Trimmed in steps, so a full ring does not copy itself on every request.
    if (this.records.length > this.capacity + Math.max(16, this.capacity >> 6)) {
      for (const gone of this.records.splice(0, this.records.length - this.capacity)) this.forget(gone);
    }
    this.version++;
    if (this.spill) {
      this.spill.append(record.id, json, bodies, (location) => {
        entry.location = location;
        entry.json = undefined;
        this.trimBodies();
      });
    } else {
      this.trimBodies();
    }
    for (const listener of this.listeners) listener(record);
  }

  /** Listens for new records; returns the function that stops listening. */
  subscribe(listener: (record: TrafficRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The builds the kept records came from, newest first. */
  builds(): number[] {
    return [...this.buildCounts.keys()].sort((a, b) => b - a);
  }

  get size(): number {
    return Math.min(this.records.length, this.capacity);
  }

  /** The record, whole: from memory, or read back from the spill file. */
  async get(id: number): Promise<TrafficRecord | undefined> {
    const entry = this.entry(id);
    if (!entry) return undefined;
    if (entry.json !== undefined) return JSON.parse(entry.json) as TrafficRecord;
    return entry.location && this.spill ? this.spill.readRecord(entry.location) : undefined;
  }

  /** What the list shows of a record. */
  summary(id: number): TrafficSummary | undefined {
    const entry = this.entry(id);
    return entry && summaryView(entry);
  }

  private entry(id: number): Entry | undefined {
    // Past the capacity (the ring trims in steps), a record is as good as gone.
    const entry = this.byId.get(id);
    return entry && entry.seq > this.added - this.capacity ? entry : undefined;
  }

  /** The newest records first, `offset` into the matches of `filter`. */
  query(filter: TrafficFilter, offset = 0, limit = 200): TrafficPage {
    const { maxId, ...conditions } = filter;
    if (Object.values(conditions).every((v) => v === undefined)) return this.unfilteredPage(maxId, offset, limit);
    const matches = this.matching(filter);
    return { records: matches.slice(offset, offset + limit).map(summaryView), total: matches.length, newestId: this.records.at(-1)?.id ?? 0 };
  }

  /** A page of everything (up to `maxId`), without making a list of all of it: the usual first page. */
  private unfilteredPage(maxId: number | undefined, offset: number, limit: number): TrafficPage {
    const start = Math.max(0, this.records.length - this.capacity);
    const records: TrafficSummary[] = [];
    let total = 0;
    for (let i = this.records.length - 1; i >= start; i--) {
      const r = this.records[i]!;
      if (maxId !== undefined && r.id > maxId) continue;
      if (total >= offset && records.length < limit) records.push(summaryView(r));
      total++;
    }
    return { records, total, newestId: this.records.at(-1)?.id ?? 0 };
  }

  /** The ids of every record matching `filter`, newest first. */
  matchingIds(filter: TrafficFilter): number[] {
    return this.matching(filter).map((e) => e.id);
  }

  private matching(filter: TrafficFilter): Entry[] {
    const key = JSON.stringify(filter);
    if (this.cached?.key === key && this.cached.version === this.version) return this.cached.entries;
    const classes = filter.statusClasses?.length ? new Set(filter.statusClasses) : undefined;
    const methods = filter.methods?.length ? new Set(filter.methods.map((m) => m.toUpperCase())) : undefined;
    const origins = filter.origins?.length ? new Set(filter.origins) : undefined;
    // A case-insensitive pattern tests a path without making a lower-case copy of each one.
    const needle = filter.text ? new RegExp(filter.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') : undefined;
    const out: Entry[] = [];
    const start = Math.max(0, this.records.length - this.capacity);
    for (let i = this.records.length - 1; i >= start; i--) {
      const r = this.records[i]!;
      if (filter.maxId !== undefined && r.id > filter.maxId) continue;
      if (classes && !classes.has(statusClass(r))) continue;
      if (methods && !methods.has(r.method)) continue;
      if (origins && !origins.has(r.origin)) continue;
      if (filter.build !== undefined && r.build !== filter.build) continue;
      if (filter.hasLogs !== undefined && r.logCount > 0 !== filter.hasLogs) continue;
      if (needle && !needle.test(r.path)) continue;
      out.push(r);
    }
    this.cached = { key, version: this.version, entries: out };
    return out;
  }

  /** The bodies of a record: from memory, or read back from the spill file; undefined once they are gone. */
  async bodiesOf(id: number): Promise<TrafficBodies | undefined> {
    const entry = this.entry(id);
    if (!entry) return undefined;
    if (entry.bodies) return entry.bodies;
    return entry.location && this.spill ? this.spill.read(entry.location) : undefined;
  }

  /** Empties the ring and the spill file. */
  async clear(): Promise<void> {
    for (const entry of this.records) this.forget(entry);
    this.records = [];
    this.withBodies = [];
    this.kept = 0;
    this.version++;
    await this.spill?.clear();
  }

  /** Drops the oldest bodies in memory past the budget, once the spill file has them. */
  private trimBodies(): void {
    while ((this.bodyBytes > this.memoryBytes || this.withBodies.length - this.kept > RECENT_BODIES) && this.kept < this.withBodies.length) {
      const entry = this.withBodies[this.kept]!;
      if (this.spill && !entry.location && entry.bodies) break; // not written yet: the next write trims on
      this.kept++;
      if (entry.bodies) this.bodyBytes -= sizeOf(entry.bodies);
      entry.bodies = undefined;
    }
    // The queue's head is let go of in steps.
    if (this.kept > 1024 && this.kept * 2 > this.withBodies.length) {
      this.withBodies = this.withBodies.slice(this.kept);
      this.kept = 0;
    }
  }

  private countBuild(record: TrafficSummary, by: 1 | -1): void {
    if (record.build === undefined) return;
    const count = (this.buildCounts.get(record.build) ?? 0) + by;
    if (count > 0) this.buildCounts.set(record.build, count);
    else this.buildCounts.delete(record.build);
  }

  private forget(entry: Entry): void {
    this.countBuild(entry, -1);
    this.byId.delete(entry.id);
    if (entry.bodies) this.bodyBytes -= sizeOf(entry.bodies);
    entry.bodies = undefined;
  }

  /** The spill file dropped the records up to `lastId` (its byte cap): so does the ring. */
  private dropThrough(lastId: number): void {
    const keep = this.records.filter((r) => r.id > lastId);
    for (const entry of this.records) if (entry.id <= lastId) this.forget(entry);
    this.records = keep;
    this.version++;
  }

  private onLog(log: LogRecord): void {
    const id = log.request ?? log.http?.cause?.id;
    if (id === undefined) return;
    let running = this.inFlight.get(id);
    if (running === null) this.inFlight.set(id, (running = { logs: [], outbound: [] }));
    if (running) {
      addLine(running, log);
      return;
    }
    // A line that came just after its answer (the same batch from the worker): the record
    // takes it while its text is still here, before the spill file has it.
    const entry = this.byId.get(id);
    if (entry?.json === undefined) return;
    const record = JSON.parse(entry.json) as TrafficRecord;
    if (!addLine(record, log)) return;
    entry.json = JSON.stringify(record);
    entry.logCount = record.logs.length;
    entry.outboundCount = record.outbound.length;
    this.version++;
  }
}

function sizeOf(bodies: TrafficBodies): number {
  return bodies.request.byteLength + bodies.response.byteLength;
}

/** Adds a log record to a request's lines (or its outbound calls); false when it has its fill. */
function addLine(target: Gathered, log: LogRecord): boolean {
  if (log.http) {
    // Outbound calls are log records too; the list shows them once, as calls.
    if (target.outbound.length >= MAX_LINES_PER_REQUEST) return false;
    (target.outbound = withRoom(target.outbound)).push(log.http);
    return true;
  }
  if (target.logs.length >= MAX_LINES_PER_REQUEST) return false;
  const text = log.text.length > MAX_CAPTURED_LINE_CHARS ? `${log.text.slice(0, MAX_CAPTURED_LINE_CHARS)}…` : log.text;
  (target.logs = withRoom(target.logs)).push({ time: log.time, level: log.level, source: log.source, text, ...(log.stream ? { stream: log.stream } : {}) });
  return true;
}
