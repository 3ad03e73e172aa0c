// The traffic inspector's file under the project's studio folder (.wash/studio/traffic/), so
// captured requests survive a restart, and never grow without bound.
//
// Records go into segments, each a pair of files: `<n>.jsonl` (one record a line, with where
// its bodies are) and `<n>.bodies` (the bodies' bytes, one after the other). Writes are
// batched and appended; a segment is closed after a quarter of the ring's records or 64 MiB
// of bodies, and the oldest segments go once the newer ones hold the ring's worth of records
// (or the folder passes its byte cap). A line cut short by a crash is skipped on load; bodies
// past the end of their file are reported missing, not invented. A line that is not a record
// this module wrote (an edit by hand, another tool, a damaged disk) is checked field by field
// and left out with a warning: the studio, the list and the UI all read these records.
//
// Must not: block the event loop (every file call is async) or throw at the capture (a
// failing disk turns the spill off with one warning).
import { mkdir, open, readdir, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { messageOf } from '../errors.ts';
import { LOG_LEVELS } from '../logs/log-record.ts';
import type { TrafficBodies, TrafficRecord } from './traffic-record.ts';

/**
 * Where a record is: its line in the segment's .jsonl file and its bodies in the .bodies file
 * (one array: a full ring keeps 10,000 of them).
 */
export type SpillLocation = readonly [segment: number, lineOffset: number, lineLength: number, requestOffset: number, requestLength: number, responseOffset: number, responseLength: number];

interface Segment {
  n: number;
  records: number;
  /** Bytes of its .bodies file, and of its .jsonl file. */
  bytes: number;
  lineBytes: number;
  lastId: number;
}

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const time = z.number().nonnegative();
const headers = z.array(z.tuple([z.string(), z.string()]));
const recordSchema: z.ZodType<TrafficRecord> = z.object({
  id: count.positive(),
  time,
  method: z.string(),
  path: z.string(),
  authority: z.string(),
  scheme: z.enum(['http', 'https']),
  requestHeaders: headers,
  status: z.number().int().min(100).max(999).optional(),
  responseHeaders: headers,
  ttfbMs: time.optional(),
  durationMs: time,
  requestBytes: count,
  responseBytes: count,
  requestCut: z.boolean(),
  responseCut: z.boolean(),
  workload: z.string().optional(),
  worker: count.optional(),
  build: count.optional(),
  origin: z.enum(['client', 'playground', 'replay', 'check', 'imported']),
  replayOf: count.optional(),
  notes: z.array(z.string()),
  logs: z.array(z.object({ time, level: z.enum(LOG_LEVELS), source: z.string(), text: z.string(), stream: z.enum(['stdout', 'stderr']).optional() })),
  outbound: z.array(
    z.object({
      method: z.string(),
      url: z.string(),
      status: z.number().int().optional(),
      durationMs: time,
      requestBytes: count,
      responseBytes: count,
      protocol: z.enum(['HTTP/1.1', 'HTTP/2']).optional(),
      standIn: z.string().optional(),
      forwardedTo: z.string().optional(),
      error: z.string().optional(),
      dropped: z.boolean().optional(),
      component: z.string(),
      cause: z.object({ id: count, method: z.string(), path: z.string() }).optional(),
    }),
  ),
});
/** Where the record's bodies are in the segment's .bodies file: offset and length. */
const bodySpan = z.tuple([count, count]);
const lineSchema = z.object({ record: recordSchema, request: bodySpan, response: bodySpan });
type Line = z.infer<typeof lineSchema>;

export interface SpillOptions {
  dir: string;
  /**
   * The folder `dir` is made in, with any parents between (default: dir's parent). It is not
   * made again: a project folder deleted while the studio runs stays deleted.
   */
  inside?: string;
  /** The ring's size: the folder keeps at least this many records, and at most a segment more. */
  capacity: number;
  /** Cap on the folder's bytes; the oldest segments go past it (default 512 MiB). */
  maxBytes?: number;
  /** Said once when the folder cannot be written; the capture goes on in memory. */
  warn: (text: string) => void;
  /** Records whose segment was dropped (the byte cap): the ring lets them go too. */
  dropped: (lastId: number) => void;
}

const SEGMENT_BYTES = 64 * 2 ** 20;
// Soon, so what waits to be written dies young: held for longer, it would outlive the next
// young-generation collection and be copied into the old generation, on every request.
const FLUSH_MS = 20;

export class TrafficSpill {
  private readonly segments: Segment[] = [];
  private current: { segment: Segment; meta: FileHandle; bodies: FileHandle } | undefined;
  private pending: { id: number; json: string; bodies: TrafficBodies; done: (location: SpillLocation) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private broken = false;
  private lineBuffer = Buffer.allocUnsafe(256 * 1024);
  private readonly segmentRecords: number;
  private readonly maxBytes: number;

  constructor(private readonly options: SpillOptions) {
    this.segmentRecords = Math.max(100, Math.ceil(options.capacity / 4));
    this.maxBytes = options.maxBytes ?? 512 * 2 ** 20;
  }

  /** Reads what an earlier run left: the newest `capacity` records, oldest first, with where their bodies are. */
  async load(): Promise<{ record: TrafficRecord; location: SpillLocation | undefined }[]> {
    let names: string[];
    try {
      names = await readdir(this.options.dir);
    } catch (err) {
      // No traffic yet: the folder is made with the first record.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.fail(err);
      return [];
    }
    const numbers = [...new Set(names.map((name) => /^(\d+)\.(jsonl|bodies)$/.exec(name)?.[1]).filter((n): n is string => n !== undefined).map(Number))].sort((a, b) => a - b);
    const loaded: { record: TrafficRecord; location: SpillLocation | undefined }[] = [];
    for (const n of numbers) {
      let text: Buffer;
      let bodyBytes = 0;
      try {
        text = await readFile(this.path(n, 'jsonl'));
        const handle = await open(this.path(n, 'bodies'), 'r').catch(() => undefined);
        if (handle) {
          bodyBytes = (await handle.stat()).size;
          await handle.close();
        }
      } catch {
        continue;
      }
      const segment: Segment = { n, records: 0, bytes: bodyBytes, lineBytes: text.length, lastId: 0 };
      let unreadable = 0;
      for (let at = 0; at < text.length; ) {
        const end = text.indexOf(10, at);
        const stop = end < 0 ? text.length : end;
        const line = parseLine(text.subarray(at, stop));
        const offset = at;
        at = stop + 1;
        if (line === 'not-json' && end < 0) continue; // the last line, which a crash cut short
        if (typeof line === 'string') {
          unreadable++;
          continue;
        }
        const whole = line.request[0] + line.request[1] <= bodyBytes && line.response[0] + line.response[1] <= bodyBytes;
        if (!whole) line.record.notes = [...line.record.notes, 'Its bodies were not all written before the studio stopped.'];
        loaded.push({ record: line.record, location: whole ? [n, offset, stop - offset, ...line.request, ...line.response] : undefined });
        segment.records++;
        segment.lastId = Math.max(segment.lastId, line.record.id);
      }
      if (unreadable > 0) {
        this.options.warn(`${unreadable === 1 ? '1 line' : `${unreadable} lines`} of ${this.path(n, 'jsonl')} ${unreadable === 1 ? 'is' : 'are'} not a captured request the studio can read (changed by hand or by another program?) and ${unreadable === 1 ? 'is' : 'are'} left out of the traffic list; the rest loaded. Clearing the traffic list removes the file.`);
      }
      this.segments.push(segment);
    }
    // New records go to a new segment: an old one may end in a cut line.
    return loaded.slice(-this.options.capacity);
  }

  /** Queues a record (as JSON text); `done` learns where its bodies went, once they are written. */
  append(id: number, json: string, bodies: TrafficBodies, done: (location: SpillLocation) => void): void {
    if (this.broken) return;
    this.pending.push({ id, json, bodies, done });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what is queued; resolves when it is on disk (or the spill gave up). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  /** A record as its line holds it; undefined when the line is gone. */
  async readRecord(location: SpillLocation): Promise<TrafficRecord | undefined> {
    const [segment, offset, length] = location;
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.path(segment, 'jsonl'), 'r');
      const bytes = Buffer.alloc(length);
      await handle.read(bytes, 0, length, offset);
      const line = parseLine(bytes);
      return typeof line === 'string' ? undefined : line.record;
    } catch {
      return undefined;
    } finally {
      await handle?.close();
    }
  }

  async read(location: SpillLocation): Promise<TrafficBodies | undefined> {
    const part = async (handle: FileHandle, offset: number, length: number) => {
      const bytes = Buffer.alloc(length);
      if (length > 0) await handle.read(bytes, 0, length, offset);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    };
    let handle: FileHandle | undefined;
    try {
      const [segment, , , requestOffset, requestLength, responseOffset, responseLength] = location;
      handle = await open(this.path(segment, 'bodies'), 'r');
      return { request: await part(handle, requestOffset, requestLength), response: await part(handle, responseOffset, responseLength) };
    } catch {
      return undefined;
    } finally {
      await handle?.close();
    }
  }

  /** Deletes every segment (the list was cleared). */
  async clear(): Promise<void> {
    this.pending = [];
    await this.writing;
    await this.closeCurrent();
    for (const segment of this.segments.splice(0)) await this.remove(segment);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.closeCurrent();
  }

  private async write(batch: typeof this.pending): Promise<void> {
    if (this.broken) return;
    try {
      // Lines go into one reused buffer: a batch's lines as one string would be a large
      // string each flush, which the garbage collector pays for on a busy studio.
      let lines = 0;
      const chunks: Uint8Array[] = [];
      const written: (() => void)[] = [];
      let current = await this.segmentFor();
      for (const item of batch) {
        if (current.segment.records >= this.segmentRecords || current.segment.bytes >= SEGMENT_BYTES) {
          await this.writeOut(current, this.lineBuffer.subarray(0, lines), chunks, written);
          lines = 0;
          chunks.length = 0;
          written.length = 0;
          await this.closeCurrent();
          current = await this.segmentFor();
        }
        const segment = current.segment;
        const request: [number, number] = [segment.bytes, item.bodies.request.byteLength];
        const response: [number, number] = [segment.bytes + request[1], item.bodies.response.byteLength];
        chunks.push(item.bodies.request, item.bodies.response);
        segment.bytes += request[1] + response[1];
        segment.records++;
        segment.lastId = Math.max(segment.lastId, item.id);
        // The same shape as Line, written around the record's text as it is.
        // Written in pieces around the record's text, which is not copied into a new string.
        const head = `{"request":[${request[0]},${request[1]}],"response":[${response[0]},${response[1]}],"record":`;
        const lineLength = head.length + Buffer.byteLength(item.json) + 2;
        const room = lines + lineLength;
        if (room > this.lineBuffer.length) {
          const grown = Buffer.allocUnsafe(Math.max(room, this.lineBuffer.length * 2));
          this.lineBuffer.copy(grown, 0, 0, lines);
          this.lineBuffer = grown;
        }
        const location: SpillLocation = [segment.n, segment.lineBytes, lineLength - 1, ...request, ...response];
        segment.lineBytes += lineLength;
        lines += this.lineBuffer.write(head, lines, 'latin1');
        lines += this.lineBuffer.write(item.json, lines);
        lines += this.lineBuffer.write('}\n', lines, 'latin1');
        written.push(() => item.done(location));
      }
      await this.writeOut(current, this.lineBuffer.subarray(0, lines), chunks, written);
      await this.trim();
    } catch (err) {
      this.fail(err);
    }
  }

  private async writeOut(current: NonNullable<typeof this.current>, lines: Buffer, chunks: Uint8Array[], written: (() => void)[]): Promise<void> {
    if (lines.length === 0) return;
    // Bodies first: a line never points at bytes that are not there yet.
    if (chunks.some((c) => c.byteLength > 0)) await current.bodies.writev(chunks.filter((c) => c.byteLength > 0));
    await current.meta.write(lines);
    for (const done of written) done();
  }

  private async segmentFor(): Promise<NonNullable<typeof this.current>> {
    if (this.current) return this.current;
    // Made with the first record (so a run that answers nothing leaves no folder behind).
    await stat(this.options.inside ?? dirname(this.options.dir));
    await mkdir(this.options.dir, { recursive: true });
    const n = (this.segments.at(-1)?.n ?? 0) + 1;
    const segment: Segment = { n, records: 0, bytes: 0, lineBytes: 0, lastId: 0 };
    const meta = await open(this.path(n, 'jsonl'), 'a');
    const bodies = await open(this.path(n, 'bodies'), 'a');
    this.segments.push(segment);
    this.current = { segment, meta, bodies };
    return this.current;
  }

  private async closeCurrent(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await current?.meta.close().catch(() => {});
    await current?.bodies.close().catch(() => {});
  }

  /** Drops the oldest segments the ring no longer needs, or that pass the byte cap. */
  private async trim(): Promise<void> {
    const total = () => this.segments.reduce((sum, s) => sum + s.records, 0);
    const bytes = () => this.segments.reduce((sum, s) => sum + s.bytes, 0);
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      const needed = total() - oldest.records < this.options.capacity;
      if (needed && bytes() <= this.maxBytes) return;
      this.segments.shift();
      await this.remove(oldest);
      if (needed) this.options.dropped(oldest.lastId);
    }
  }

  private async remove(segment: Segment): Promise<void> {
    await rm(this.path(segment.n, 'jsonl'), { force: true });
    await rm(this.path(segment.n, 'bodies'), { force: true });
  }

  private path(n: number, kind: 'jsonl' | 'bodies'): string {
    return join(this.options.dir, `${String(n).padStart(6, '0')}.${kind}`);
  }

  private fail(err: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.pending = [];
    this.options.warn(`Captured traffic is no longer written to ${this.options.dir} (${messageOf(err)}); the inspector keeps it in memory until the studio stops.`);
  }
}

function parseLine(bytes: Buffer): Line | 'not-json' | 'not-a-record' {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'not-json';
  }
  const line = lineSchema.safeParse(value);
  return line.success ? line.data : 'not-a-record';
}
