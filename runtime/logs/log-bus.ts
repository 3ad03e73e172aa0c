// The log bus owns every log record of a studio run: from components (wasi:logging, stdout,
// stderr) and from the studio itself. It keeps the newest records in a ring buffer so the UI
// can page through them, and fans new records out to subscribers. It does no printing.
import { stripVTControlCharacters } from 'node:util';
import { cutLine } from './line-splitter.ts';
import { LOG_LEVELS, type LogLevel, type LogRecord, type LogStream } from './log-record.ts';

export { LOG_LEVELS, type LogLevel, type LogRecord, type LogStream, type OutboundCallRecord } from './log-record.ts';

export type LogInput = Omit<LogRecord, 'seq' | 'time'> & { time?: number };

export interface LogQuery {
  minLevel?: LogLevel;
  sources?: readonly string[];
  /** Case-insensitive substring. */
  text?: string;
  /** Only lines printed on this stream (records without a stream never match). */
  stream?: LogStream;
  afterSeq?: number;
  limit?: number;
}

export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * Characters of text the bus keeps in all: past it the oldest records go, however few there
 * are, so long lines cannot grow the studio without bound (100,000 lines of 64 KiB would).
 */
const MAX_TEXT_CHARS = 64 * 2 ** 20;

export class LogBus {
  private readonly ring: (LogRecord | undefined)[];
  private next = 0;
  private count = 0;
  private seq = 0;
  private chars = 0;
  private readonly listeners = new Set<(record: LogRecord) => void>();

  constructor(
    readonly capacity = 100_000,
    private readonly maxChars = MAX_TEXT_CHARS,
  ) {
    this.ring = new Array<LogRecord | undefined>(capacity);
  }

  append(input: LogInput): LogRecord {
    const record: LogRecord = {
      seq: ++this.seq,
      time: input.time ?? Date.now(),
      level: input.level,
      source: input.source,
      // Every source's lines are cut the same way (wasi:logging takes a whole line at once).
      text: cutLine(input.text),
      // Absent rather than undefined, so records stay the same shape over JSON.
      ...(input.stream ? { stream: input.stream } : {}),
      ...(input.http ? { http: input.http } : {}),
      ...(input.request !== undefined ? { request: input.request } : {}),
      ...(input.by ? { by: input.by } : {}),
    };
    if (this.count === this.capacity) this.dropOldest();
    this.ring[this.next] = record;
    this.next = (this.next + 1) % this.capacity;
    this.count++;
    this.chars += record.text.length;
    while (this.chars > this.maxChars && this.count > 1) this.dropOldest();
    for (const listener of this.listeners) listener(record);
    return record;
  }

  private dropOldest(): void {
    const oldest = (this.next - this.count + this.capacity) % this.capacity;
    this.chars -= this.ring[oldest]?.text.length ?? 0;
    this.ring[oldest] = undefined;
    this.count--;
  }

  /** Subscribes to new records; returns the function that unsubscribes. */
  subscribe(listener: (record: LogRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records in order, oldest first, that match the query. */
  query(q: LogQuery = {}): LogRecord[] {
    const minRank = q.minLevel ? levelRank(q.minLevel) : 0;
    const sources = q.sources && q.sources.length > 0 ? new Set(q.sources) : undefined;
    const needle = q.text?.toLowerCase();
    const out: LogRecord[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) {
      const record = this.ring[(start + i) % this.capacity];
      if (!record) continue;
      if (q.afterSeq !== undefined && record.seq <= q.afterSeq) continue;
      if (levelRank(record.level) < minRank) continue;
      if (sources && !sources.has(record.source)) continue;
      if (q.stream && record.stream !== q.stream) continue;
      // Matched as the line shows, colours left out, so a search may run across a colour change.
      if (needle && !stripVTControlCharacters(record.text).toLowerCase().includes(needle)) continue;
      out.push(record);
    }
    return q.limit !== undefined && out.length > q.limit ? out.slice(out.length - q.limit) : out;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.next = 0;
    this.count = 0;
    this.chars = 0;
  }

  get size(): number {
    return this.count;
  }
}

/** A logger bound to one source, for studio code that logs as itself. */
export interface Logger {
  trace(text: string): void;
  debug(text: string): void;
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
}

export function loggerFor(bus: LogBus, source: string): Logger {
  const at = (level: LogLevel) => (text: string) => void bus.append({ level, source, text });
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
