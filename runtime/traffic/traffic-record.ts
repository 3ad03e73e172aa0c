// One captured request and its answer, as the traffic inspector keeps it: what was asked,
// what came back, how long it took, who served it, and what the component logged and called
// while it did. Types and small helpers only; capturing is exchange-capture.ts's, keeping is
// traffic-store.ts's.
import type { LogLevel, LogStream, OutboundCallRecord } from '../logs/log-record.ts';

/** Where a record came from: a client of the gateway, a replay, a check, or a HAR file. */
/** `playground`: sent from the studio's HTTP view. */
export type TrafficOrigin = 'client' | 'playground' | 'replay' | 'check' | 'imported';

/** A log line written while the request was served (the log bus has them too, for a while). */
export interface RequestLogLine {
  time: number;
  level: LogLevel;
  source: string;
  text: string;
  stream?: LogStream;
}

export interface TrafficRecord {
  /** The request's id (Exchange.id): log records and outbound calls carry it. */
  id: number;
  /** When the request arrived, in ms since the epoch. */
  time: number;
  method: string;
  /** Path and query, as the component saw them. */
  path: string;
  authority: string;
  scheme: 'http' | 'https';
  requestHeaders: [string, string][];
  /** Absent when no status was ever sent (the connection was cut first). */
  status?: number;
  responseHeaders: [string, string][];
  /** From arrival to the response head. */
  ttfbMs?: number;
  /** From arrival to the end of the response (or its failure). */
  durationMs: number;
  /** Whole sizes, whatever was kept of the bodies. */
  requestBytes: number;
  responseBytes: number;
  /** The bodies were cut at the capture's body limit (the sizes above are whole). */
  requestCut: boolean;
  responseCut: boolean;
  /** The component that served it, and the worker thread. */
  workload?: string;
  worker?: number;
  /** The build serving when it arrived. */
  build?: number;
  origin: TrafficOrigin;
  /** For a replay or a check: the record it replays, when there is one. */
  replayOf?: number;
  /** What the gateway or the capture has to say: who answered, what was cut. */
  notes: string[];
  logs: RequestLogLine[];
  outbound: OutboundCallRecord[];
}

/** Which records a query keeps (every field optional: absent keeps everything). */
export interface TrafficFilter {
  /** Status classes to keep: 2 for 2xx …, 0 for requests that got no status. */
  statusClasses?: number[];
  methods?: string[];
  /** Case-insensitive substring of the path (with its query). */
  text?: string;
  build?: number;
  hasLogs?: boolean;
  origins?: TrafficOrigin[];
  /** Only records up to this id: pages stay put while new requests arrive. */
  maxId?: number;
}

/** What the list shows of a record, and what its filters look at. */
export interface TrafficSummary {
  id: number;
  time: number;
  method: string;
  path: string;
  authority: string;
  /** Absent when no status was sent (the connection was cut first). */
  status?: number;
  durationMs: number;
  ttfbMs?: number;
  requestBytes: number;
  responseBytes: number;
  build?: number;
  workload?: string;
  origin: TrafficOrigin;
  replayOf?: number;
  logCount: number;
  outboundCount: number;
  /** A body was cut at the capture's limit. */
  cut: boolean;
}

export function summaryOf(record: TrafficRecord): TrafficSummary {
  const summary: TrafficSummary = {
    id: record.id,
    time: record.time,
    method: record.method,
    path: record.path,
    authority: record.authority,
    durationMs: record.durationMs,
    requestBytes: record.requestBytes,
    responseBytes: record.responseBytes,
    origin: record.origin,
    logCount: record.logs.length,
    outboundCount: record.outbound.length,
    cut: record.requestCut || record.responseCut,
  };
  if (record.status !== undefined) summary.status = record.status;
  if (record.ttfbMs !== undefined) summary.ttfbMs = record.ttfbMs;
  if (record.build !== undefined) summary.build = record.build;
  if (record.workload !== undefined) summary.workload = record.workload;
  if (record.replayOf !== undefined) summary.replayOf = record.replayOf;
  return summary;
}

export interface TrafficBodies {
  request: Uint8Array;
  response: Uint8Array;
}

/**
 * The empty list most records have for their notes, log lines and outbound calls: one shared
 * (frozen) array instead of three per record, so a full ring is fewer objects for the garbage
 * collector to walk. Whoever adds to a record's list replaces it first (see withRoom).
 */
export const NO_ITEMS: never[] = Object.freeze([]) as unknown as never[];

/** A list that can be added to: the one given, or a new one for the shared empty list. */
export function withRoom<T>(list: T[]): T[] {
  return list === NO_ITEMS ? [] : list;
}

/** Log lines and outbound calls kept per request; a request that logs more is rare and the log has the rest. */
export const MAX_LINES_PER_REQUEST = 200;
/** A log line longer than this is cut in the record (the log bus keeps it whole). */
export const MAX_CAPTURED_LINE_CHARS = 4096;

/** The status class a filter names: 2 for 2xx, 0 for "no status". */
export function statusClass(record: Pick<TrafficRecord, 'status'>): number {
  return record.status === undefined ? 0 : Math.floor(record.status / 100);
}

/** The first value of a header, by name in any case. */
export function headerValue(headers: readonly [string, string][], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of headers) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
