// What one log record is: the shape the bus keeps, the Studio API sends and the UI shows.
// Types and the level list only, so the UI's type checks read nothing of the bus itself.
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'critical'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The standard stream a component printed a line on. Kept apart from the level: stderr is
 * where Rust's eprintln!, Go's log and JS's console.error print debug lines, not errors.
 */
export type LogStream = 'stdout' | 'stderr';

/** One outbound HTTP call of a component, as its log record carries it (source `outbound`). */
export interface OutboundCallRecord {
  method: string;
  /** The URL the component asked for. */
  url: string;
  /** Absent when the call failed before a response head. */
  status?: number;
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
  protocol?: 'HTTP/1.1' | 'HTTP/2';
  /** The `match` of the stand-in that answered, if one did. */
  standIn?: string;
  /** Where a forwarding stand-in sent the call. */
  forwardedTo?: string;
  /** The wasi:http error-code the component got, e.g. `connection-refused`. */
  error?: string;
  /** The component dropped the call before its response ended. */
  dropped?: boolean;
  /** The component that made the call. */
  component: string;
  /** The incoming request it was serving: the workload's number for it, its method and path. */
  cause?: { id: number; method: string; path: string };
}

export interface LogRecord {
  /** Increasing sequence number, unique within a run; lets clients resume after a gap. */
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  level: LogLevel;
  /** Who said it: `studio`, `gateway`, `build`, or a component's name. */
  source: string;
  text: string;
  /** Set on a component's stdout and stderr lines only. */
  stream?: LogStream;
  /** Set on the records of outbound HTTP calls. */
  http?: OutboundCallRecord;
  /** The id of the incoming request a component was serving when it logged this (see Exchange.id). */
  request?: number;
  /** Set when that request was the studio's own: a pinned check or a replay, not a client's. */
  by?: 'check' | 'replay';
}
