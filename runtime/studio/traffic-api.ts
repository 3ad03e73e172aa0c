// The Studio API's traffic and checks commands and events (the Traffic view's and the
// reload indicator's): types only, imported by api.ts, which the renderer reads. Captured
// requests are paged and filtered in Node; bodies cross as base64.

import type { TrafficFilter, TrafficRecord, TrafficSummary } from '../traffic/traffic-record.ts';
import type { CheckFile, CheckRun, ReplayReport } from '../traffic/traffic-results.ts';

export type * from '../traffic/traffic-results.ts';
export type { RequestLogLine, TrafficOrigin, TrafficRecord } from '../traffic/traffic-record.ts';

/** One row of the Traffic view's list. */
export type TrafficSummaryView = TrafficSummary;

export type TrafficFilterView = TrafficFilter;

/** A record with its bodies (base64), as far as they are kept. */
export interface TrafficDetailView {
  record: TrafficRecord;
  requestBody: string;
  responseBody: string;
  /** False once the bodies are gone (dropped from the spill file); the record stays. */
  bodiesKept: boolean;
}

export interface TrafficSettingsView {
  /** Recording clients' requests (replays and checks are recorded regardless). */
  enabled: boolean;
  /** Bytes of each body kept. */
  bodyLimit: number;
  /** Records kept. */
  capacity: number;
  /** Where the records are kept (.wash/studio/traffic), once a project is open. */
  folder?: string;
  /** The response headers a comparison leaves out unless the user says otherwise. */
  defaultIgnoredHeaders: string[];
}

export interface CheckFileView {
  name: string;
  path: string;
  content: CheckFile;
}

export interface ChecksView {
  /** .wash/checks of the project. */
  folder?: string;
  files: CheckFileView[];
  /** Why the files cannot be read (one that does not parse, say). */
  error?: { code: string; message: string; hint?: string };
  lastRun?: CheckRun;
}

/** How a pinned check judges the body: exactly, as a JSON subset, by a regular expression, or status only. */
export type PinKindView = 'exact' | 'json' | 'regex' | 'status';

export interface TrafficCommands {
  /** A page of records, newest first, and how many match. */
  'traffic.query': {
    args: { filter?: TrafficFilterView; offset?: number; limit?: number };
    result: { records: TrafficSummaryView[]; total: number; newestId: number; size: number; capacity: number; builds: number[] };
  };
  'traffic.get': { args: { id: number }; result: TrafficDetailView | null };
  'traffic.clear': { args: Record<string, never>; result: null };
  'traffic.settings': { args: Record<string, never>; result: TrafficSettingsView };
  'traffic.configure': { args: { enabled?: boolean; bodyLimit?: number }; result: TrafficSettingsView };
  /** HAR 1.2 of the given records, or of those matching the filter (newest 10,000 at most). */
  'traffic.exportHar': { args: { ids?: number[]; filter?: TrafficFilterView }; result: { har: string; entries: number; omittedBodies: number } };
  /** Adds a HAR file's entries to the list (origin `imported`), ready to replay. */
  'traffic.importHar': { args: { har: string }; result: { imported: number; ids: number[]; skipped: string[] } };
  /** Replays records (or all of a build's) against the build serving now, and compares. */
  'traffic.replay': { args: { ids?: number[]; build?: number; data?: 'live' | 'copy'; ignoreHeaders?: string[] }; result: ReplayReport };
  'checks.list': { args: Record<string, never>; result: ChecksView };
  /** Makes checks of captured requests, expecting their captured answers, in a check file (default checks.json). */
  /** liveWrites: checks added that may change data (not GET, HEAD or OPTIONS) to a file whose checks run on the live data. */
  'checks.pin': { args: { ids: number[]; kind: PinKindView; file?: string; ignoreHeaders?: string[] }; result: { file: string; added: number; liveWrites: number } };
  /** Writes a check file's whole text, after checking it. */
  'checks.save': { args: { file: string; text: string }; result: CheckFileView };
  /** Removes one check of a file, or the whole file. */
  'checks.delete': { args: { file: string; index?: number }; result: null };
  'checks.run': { args: Record<string, never>; result: CheckRun };
}

export interface TrafficEvents {
  /** New records, batched (about every 100 ms). */
  'traffic.appended': TrafficSummaryView[];
  'traffic.cleared': null;
  /** A run of the checks finished (after a reload, or by hand). */
  'checks.ran': CheckRun;
}
