// The captured traffic of a session: a ring of the newest records (10,000 by default), their
// bodies (in memory while recent, else read back from the spill file), and the log lines and
// outbound calls of each request, gathered from the log bus by request id while it runs.
// Queries (filters, pages, newest first) are answered here, in Node, so the Traffic view
// only ever holds a page.
//
// Must not: hold more than its memory budget of bodies, or lose a line that arrives just
// after its request ended (a worker's batch may bring it a moment later).
import type { LogBus, LogRecord, OutboundCallRecord } from '../logs/log-bus.ts';
import { requestIdsAbove } from '../workloads/exchange.ts';
import { MAX_LINE_CHARS, MAX_LINES_PER_REQUEST, statusClass, type RequestLogLine, type TrafficBodies, type TrafficFilter, type TrafficRecord } from './traffic-record.ts';
import { TrafficSpill, type SpillLocation } from './traffic-spill.ts';

export interface TrafficPage {
  records: TrafficRecord[];
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

interface Gathered {
  logs: RequestLogLine[];
  outbound: OutboundCallRecord[];
}

export const DEFAULT_CAPACITY = 10_000;
const MAX_IN_FLIGHT = 10_000;

export class TrafficStore {
  /** Set by open() from the project's settings, before anything is kept. */
  capacity: number;
  private records: TrafficRecord[] = [];
  private readonly byId = new Map<number, TrafficRecord>();
  /** When each record joined (1, 2, …): records join as their answers end, not in id order. */
  private readonly position = new Map<number, number>();
  private added = 0;
  private readonly bodies = new Map<number, TrafficBodies>();
  private bodyBytes = 0;
  private readonly locations = new Map<number, SpillLocation>();
  /** Lines of requests still running, by id. */
  private readonly inFlight = new Map<number, Gathered>();
  private readonly listeners = new Set<(record: TrafficRecord) => void>();
  private readonly memoryBytes: number;
  private spill: TrafficSpill | undefined;
  private unsubscribe: (() => void) | undefined;
  /** The last query's matches, newest first, while nothing changed: paging through 100k records filters once. */
  private cached: { key: string; version: number; ids: TrafficRecord[] } | undefined;
  private version = 0;

  constructor(private readonly options: TrafficStoreOptions) {
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.memoryBytes = options.memoryBytes ?? 64 * 2 ** 20;
    this.unsubscribe = options.logs.subscribe((record) => this.onLog(record));
  }

  /** Keeps records in `dir` from now on, after reading what an earlier run left there; `capacity` changes the ring's size. */
  async open(dir: string, capacity = this.capacity): Promise<void> {
    this.capacity = capacity;
    await this.spill?.close();
    const spill = new TrafficSpill({
      dir,
      capacity: this.capacity,
      warn: (text) => void this.options.logs.append({ level: 'warn', source: 'studio', text }),
      dropped: (lastId) => this.dropThrough(lastId),
    });
    const loaded = await spill.load();
    this.spill = spill;
    const known = new Set(this.records.map((r) => r.id));
    const earlier = loaded.filter((l) => !known.has(l.record.id));
    for (const { record, location } of earlier) {
      this.byId.set(record.id, record);
      this.position.set(record.id, ++this.added);
      if (location) this.locations.set(record.id, location);
    }
    this.records = [...earlier.map((l) => l.record), ...this.records].slice(-this.capacity);
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
    this.inFlight.set(id, { logs: [], outbound: [] });
    // Every request ends (answered, failed or cut); this only guards against one that did not.
    if (this.inFlight.size > MAX_IN_FLIGHT) this.inFlight.delete(this.inFlight.keys().next().value!);
  }

  /** A request ended: it joins the ring with the lines gathered while it ran. */
  add(record: TrafficRecord, bodies: TrafficBodies): void {
    const gathered = this.inFlight.get(record.id);
    this.inFlight.delete(record.id);
    if (gathered) {
      record.logs.push(...gathered.logs);
      record.outbound.push(...gathered.outbound);
    }
    this.records.push(record);
    this.byId.set(record.id, record);
    this.position.set(record.id, ++this.added);
    this.keepBodies(record.id, bodies);
    // Trimmed in steps, so a full ring does not copy itself on every request.
    if (this.records.length > this.capacity + Math.max(16, this.capacity >> 6)) {
      for (const gone of this.records.splice(0, this.records.length - this.capacity)) this.forget(gone.id);
    }
    this.version++;
    this.spill?.append(record, bodies, (location) => {
      this.locations.set(record.id, location);
      this.trimBodies();
    });
    for (const listener of this.listeners) listener(record);
  }

  /** Listens for new records; returns the function that stops listening. */
  subscribe(listener: (record: TrafficRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return Math.min(this.records.length, this.capacity);
  }

  get(id: number): TrafficRecord | undefined {
    // Past the capacity (the ring trims in steps), a record is as good as gone.
    const at = this.position.get(id);
    return at !== undefined && at > this.added - this.capacity ? this.byId.get(id) : undefined;
  }

  /** The newest records first, `offset` into the matches of `filter`. */
  query(filter: TrafficFilter, offset = 0, limit = 200): TrafficPage {
    const matches = this.matching(filter);
    return { records: matches.slice(offset, offset + limit), total: matches.length, newestId: this.records.at(-1)?.id ?? 0 };
  }

  /** Every record matching `filter`, newest first. */
  matching(filter: TrafficFilter): TrafficRecord[] {
    const key = JSON.stringify(filter);
    if (this.cached?.key === key && this.cached.version === this.version) return this.cached.ids;
    const classes = filter.statusClasses?.length ? new Set(filter.statusClasses) : undefined;
    const methods = filter.methods?.length ? new Set(filter.methods.map((m) => m.toUpperCase())) : undefined;
    const origins = filter.origins?.length ? new Set(filter.origins) : undefined;
    const needle = filter.text?.toLowerCase();
    const out: TrafficRecord[] = [];
    const start = Math.max(0, this.records.length - this.capacity);
    for (let i = this.records.length - 1; i >= start; i--) {
      const r = this.records[i]!;
      if (filter.maxId !== undefined && r.id > filter.maxId) continue;
      if (classes && !classes.has(statusClass(r))) continue;
      if (methods && !methods.has(r.method)) continue;
      if (origins && !origins.has(r.origin)) continue;
      if (filter.build !== undefined && r.build !== filter.build) continue;
      if (filter.hasLogs !== undefined && r.logs.length > 0 !== filter.hasLogs) continue;
      if (needle && !r.path.toLowerCase().includes(needle)) continue;
      out.push(r);
    }
    this.cached = { key, version: this.version, ids: out };
    return out;
  }

  /** The bodies of a record: from memory, or read back from the spill file; undefined once they are gone. */
  async bodiesOf(id: number): Promise<TrafficBodies | undefined> {
    const inMemory = this.bodies.get(id);
    if (inMemory) return inMemory;
    const location = this.locations.get(id);
    return location && this.spill ? this.spill.read(location) : undefined;
  }

  /** Empties the ring and the spill file. */
  async clear(): Promise<void> {
    for (const record of this.records) this.forget(record.id);
    this.records = [];
    this.version++;
    await this.spill?.clear();
  }

  private keepBodies(id: number, bodies: TrafficBodies): void {
    this.bodies.set(id, bodies);
    this.bodyBytes += bodies.request.byteLength + bodies.response.byteLength;
    // Without a spill file the memory budget is all there is.
    if (!this.spill) this.trimBodies();
  }

  /** Drops the oldest bodies in memory past the budget, once the spill file has them. */
  private trimBodies(): void {
    if (this.bodyBytes <= this.memoryBytes) return;
    for (const [id, bodies] of this.bodies) {
      if (this.bodyBytes <= this.memoryBytes) return;
      if (this.spill && !this.locations.has(id)) continue;
      this.bodies.delete(id);
      this.bodyBytes -= bodies.request.byteLength + bodies.response.byteLength;
    }
  }

  private forget(id: number): void {
    this.byId.delete(id);
    this.position.delete(id);
    this.locations.delete(id);
    const bodies = this.bodies.get(id);
    if (bodies) {
      this.bodies.delete(id);
      this.bodyBytes -= bodies.request.byteLength + bodies.response.byteLength;
    }
  }

  /** The spill file dropped the records up to `lastId` (its byte cap): so does the ring. */
  private dropThrough(lastId: number): void {
    const keep = this.records.filter((r) => r.id > lastId);
    for (const record of this.records) if (record.id <= lastId) this.forget(record.id);
    this.records = keep;
    this.version++;
  }

  private onLog(log: LogRecord): void {
    const id = log.request ?? log.http?.cause?.id;
    if (id === undefined) return;
    const running = this.inFlight.get(id);
    const target = running ?? this.byId.get(id);
    if (!target) return;
    if (!running) this.version++;
    if (log.http) {
      if (target.outbound.length < MAX_LINES_PER_REQUEST) target.outbound.push(log.http);
      // Outbound calls are log records too; the list shows them once, as calls.
      return;
    }
    if (target.logs.length >= MAX_LINES_PER_REQUEST) return;
    const text = log.text.length > MAX_LINE_CHARS ? `${log.text.slice(0, MAX_LINE_CHARS)}…` : log.text;
    target.logs.push({ time: log.time, level: log.level, source: log.source, text, ...(log.stream ? { stream: log.stream } : {}) });
  }
}
