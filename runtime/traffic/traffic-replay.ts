// Replaying captured requests against the build serving now, and what changed: each request
// is sent again (one after another, in the order they were first made), its new answer is
// captured as a `replay` record, and the two answers are compared (response-diff.ts). Requests
// that change data replay against the live stores unless the caller asks for a throwaway copy.
import type { DataSandbox } from './check-run.ts';
import type { ExchangeCapture } from './exchange-capture.ts';
import { replay, replayRequestOf } from './request-replay.ts';
import { compareResponses } from './response-diff.ts';
import type { ReplayReport, ReplayResult } from './traffic-results.ts';
import type { TrafficStore } from './traffic-store.ts';

export type { ReplayReport, ReplayResult } from './traffic-results.ts';

export interface ReplayOptions {
  store: TrafficStore;
  capture: ExchangeCapture;
  gatewayUrl: string;
  ignoredHeaders: readonly string[];
  timeoutMs: number;
  data: 'live' | 'copy';
  sandbox?: DataSandbox;
  build?: number;
  /** Told after each request, for progress. */
  progress?: (done: number, total: number) => void;
}

export async function replayRecords(ids: readonly number[], options: ReplayOptions): Promise<ReplayReport> {
  const ordered = [...new Set(ids)].sort((a, b) => a - b);
  const results: ReplayResult[] = [];
  const work = async () => {
    for (const id of ordered) {
      results.push(await replayOne(id, options));
      options.progress?.(results.length, ordered.length);
    }
  };
  if (options.data === 'copy' && options.sandbox) await options.sandbox(work);
  else await work();
  const count = (outcome: ReplayResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  return { ...(options.build !== undefined ? { build: options.build } : {}), data: options.data, matched: count('matched'), changed: count('changed'), failed: count('failed'), results };
}

async function replayOne(id: number, options: ReplayOptions): Promise<ReplayResult> {
  const record = await options.store.get(id);
  if (!record) return { id, method: '', path: '', outcome: 'failed', error: 'This request is no longer in the captured traffic.' };
  const base = { id, method: record.method, path: record.path };
  const bodies = await options.store.bodiesOf(id);
  if (!bodies) return { ...base, outcome: 'failed', error: 'Its bodies are no longer kept, so it cannot be sent again.' };
  if (record.requestCut) return { ...base, outcome: 'failed', error: `Its request body was not kept whole (${record.requestBytes} bytes, over the capture's limit or cut short), so it cannot be sent again.` };
  const sent = await replay(replayRequestOf(record, bodies), { gatewayUrl: options.gatewayUrl, capture: options.capture, origin: 'replay', replayOf: id, timeoutMs: options.timeoutMs });
  if (!sent.ok) return { ...base, outcome: 'failed', error: `No answer: ${sent.error}.` };
  const after = (await options.store.bodiesOf(sent.record.id)) ?? { request: new Uint8Array(), response: new Uint8Array() };
  const diff = compareResponses({ record, bodies }, { record: sent.record, bodies: after }, options.ignoredHeaders);
  return { ...base, outcome: diff.outcome, replayId: sent.record.id, diff };
}
