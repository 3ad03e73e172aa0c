// What the traffic inspector reports, as the Studio API carries it to the Traffic view: how
// two answers differ, what a replay found, the checks as files hold them, and what a run of
// them found. Types only (no imports at run time), so the renderer may see them through api.ts.

export interface HeaderChange {
  name: string;
  before?: string;
  after?: string;
}

export interface JsonChange {
  /** Where, as a JSON path such as `$.items[2].name`. */
  path: string;
  change: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

export interface ImageComparison {
  before: { width: number; height: number };
  after: { width: number; height: number };
  /** Pixels that differ (on the larger canvas of the two, when the sizes differ). */
  changedPixels: number;
  /** The box around every changed pixel. */
  box?: { x: number; y: number; width: number; height: number };
  /** A PNG of the after image, faded, with the changed pixels in red (base64). */
  highlight: string;
}

export type BodyDiff =
  | { kind: 'same' }
  | { kind: 'json'; changes: JsonChange[]; more: number }
  | { kind: 'text' }
  | { kind: 'image'; image: ImageComparison }
  | { kind: 'bytes'; beforeSize: number; afterSize: number };

export interface ResponseDiff {
  outcome: 'matched' | 'changed';
  status?: { before: number | undefined; after: number | undefined };
  headers: HeaderChange[];
  body: BodyDiff;
  /** Either body was cut at the capture limit: only the kept parts were compared. */
  partial: boolean;
}

export interface ReplayResult {
  /** The record replayed. */
  id: number;
  method: string;
  path: string;
  outcome: 'matched' | 'changed' | 'failed';
  /** The record of the new answer. */
  replayId?: number;
  /** Why it could not be replayed (failed). */
  error?: string;
  diff?: ResponseDiff;
}

export interface ReplayReport {
  /** The build that answered the replays. */
  build?: number;
  /** `copy`: the replays ran against a throwaway copy of the data folders, restored afterwards. */
  data: 'live' | 'copy';
  matched: number;
  changed: number;
  failed: number;
  results: ReplayResult[];
}

/** What a check expects of the body: exactly these bytes, a JSON subset, a match, or (absent) nothing. */
export type BodyExpectation = { exact: string } | { exactBase64: string } | { json: unknown } | { regex: string };

/** One check, as a check file holds it. */
export interface Check {
  name: string;
  request: {
    method: string;
    /** Path and query, starting with /. */
    path: string;
    /** The Host name to send (the port is the gateway's), for components served at <name>.localhost. */
    host?: string;
    headers: [string, string][];
    body?: string;
    bodyBase64?: string;
  };
  expect: {
    status: number;
    /** Headers the answer must have, with these values (names in any case). */
    headers?: Record<string, string>;
    body?: BodyExpectation;
  };
}

/** A check file, `.wash/checks/<name>.json`. */
export interface CheckFile {
  /** Response headers no check of the file looks at (default: those that change on every answer). */
  ignoreHeaders?: string[];
  /** `copy`: run against a throwaway copy of the data folders, restored afterwards; default `live`. */
  data?: 'live' | 'copy';
  checks: Check[];
}

export interface CheckResult {
  file: string;
  /** Its index in the file's `checks`. */
  index: number;
  name: string;
  passed: boolean;
  /** Why it failed, one sentence each. */
  problems: string[];
  /** The record of the answer (absent when there was none). */
  recordId?: number;
}

export interface CheckRun {
  /** The build the checks ran against. */
  build?: number;
  startedAt: number;
  durationMs: number;
  passed: number;
  failed: number;
  results: CheckResult[];
  /** Why the checks could not run at all (a file that does not parse, nothing serving). */
  error?: { code: string; message: string; hint?: string };
}
