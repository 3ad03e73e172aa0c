// One captured request in full: its headers and bodies (with the playground's viewers), its
// timings, the lines it logged and the outbound calls it made; and what can be done with it:
// open it in the playground, copy it as curl, replay it, pin it as a check.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { OutboundCallView, PinKindView, RequestLogLine, TrafficDetailView, TrafficRecord } from '../../api/types.ts';
import { ValueViewer } from '../../components/ValueViewer.tsx';
import { base64ToBytes, bytesToBase64, decodeText } from '../../lib/bytes.ts';
import { toCurl } from '../../lib/curl.ts';
import { formatBytes, formatDateTime, formatMs } from '../../lib/format.ts';
import { onTabListKeyDown, tabStop } from '../../lib/tab-list-keyboard.ts';
import { useStudio, versionName } from '../../stores/studio-store.ts';
import { useUi } from '../../stores/ui-store.ts';
import { useHttp, type RequestDraft } from '../http/http-store.ts';
import { originTag, useTraffic } from './traffic-store.ts';
import { ansiToHtml } from '../../lib/ansi.ts';

type Tab = 'response' | 'request' | 'timing' | 'logs' | 'outbound';

/** Headers the playground and curl leave to the client that sends the request. */
const CLIENT_HEADERS = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'expect']);

function headerOf(headers: [string, string][], name: string): string | undefined {
  return headers.find(([k]) => k.toLowerCase() === name)?.[1];
}

/** Where the rest of a cut body is: nowhere, the capture kept only its start. */
const CUT_BODY = 'The capture keeps only the start of each body; how much is a setting of the Traffic view.';

export function HeadersTable({ headers, label }: { headers: [string, string][]; label: string }) {
  if (headers.length === 0) return <div className="muted small pad">No headers.</div>;
  return (
    <table className="headers-table" aria-label={label}>
      <tbody>
        {headers.map(([name, value], i) => (
          <tr key={`${name}-${i}`}>
            <th>{name}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Lines a capture keeps per request (MAX_LINES_PER_REQUEST in runtime/traffic/traffic-record.ts). */
const LINES_KEPT = 200;

/** How many lines a request logged, as its Logs tab says it: `200+` once the capture stopped keeping them. */
export function logCount(logs: readonly RequestLogLine[]): string {
  return logs.length >= LINES_KEPT ? `${LINES_KEPT}+` : String(logs.length);
}

/** What was logged while a request was served (the traffic detail's Logs tab, and the HTTP view's), colours kept as in the Logs view. */
export function RequestLogs({ logs }: { logs: RequestLogLine[] }) {
  if (logs.length === 0) return <div className="muted small pad">Nothing was logged while this request was served.</div>;
  return (
    <div className="traffic-logs" aria-label="Request logs">
      {logs.length >= LINES_KEPT && <div className="notice" role="note">A request keeps its first {LINES_KEPT} lines; the Logs view has every line it logged.</div>}
      {logs.map((line, i) => (
        <div key={i} className="log-line" data-level={line.level}>
          <span className="log-level">{line.level}</span>
          <span className="log-source">{line.source}</span>
          {line.stream && <span className="log-stream">{line.stream}</span>}
          <span className="log-text" dangerouslySetInnerHTML={{ __html: ansiToHtml(line.text) }} />
        </div>
      ))}
    </div>
  );
}

/** The outbound HTTP calls a component made while it served one request. */
export function OutboundCalls({ calls }: { calls: OutboundCallView[] }) {
  if (calls.length === 0) return <div className="muted small pad">No outbound HTTP call was made while this request was served.</div>;
  return (
    <table className="headers-table" aria-label="Outbound calls">
      <tbody>
        {calls.map((call, i) => (
          <tr key={i}>
            <th>
              {call.method} {call.status ?? call.error ?? ''}
            </th>
            <td>
              <span className="mono">{call.url}</span> · {formatMs(call.durationMs)} · {formatBytes(call.responseBytes)}
              {call.standIn && ` · stand-in ${call.standIn}`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The request as the playground edits it: a path, the headers a client sets itself left out, the body as text or a file. */
/**
 * A request made to <name>.localhost went to that linked component: sent again by its full
 * address (the HTTP view and curl both reach *.localhost); others by path, to the gateway.
 */
function linkedAddress(record: TrafficRecord): string | undefined {
  return /^[^.:]+\.localhost(:\d+)?$/i.test(record.authority) ? `${record.scheme}://${record.authority}${record.path}` : undefined;
}

export function draftOf(record: TrafficRecord, body: Uint8Array): RequestDraft {
  const headers = record.requestHeaders.filter(([k]) => !CLIENT_HEADERS.has(k.toLowerCase())).map(([key, value]) => ({ key, value, enabled: true }));
  const text = body.length > 0 ? decodeText(body) : '';
  const type = headerOf(record.requestHeaders, 'content-type') ?? '';
  const draft: RequestDraft = { method: record.method, url: linkedAddress(record) ?? record.path, headers, bodyMode: 'none', bodyText: '', bodyJson: '', form: [], name: undefined };
  if (body.length === 0) return draft;
  if (text === undefined) return { ...draft, bodyMode: 'file', file: { name: 'request-body', size: body.length, type, base64: bytesToBase64(body) } };
  // A body labelled JSON that does not parse opens as text, so it can be sent again as it was.
  return /json/i.test(type) && parsesAsJson(text) ? { ...draft, bodyMode: 'json', bodyJson: text } : { ...draft, bodyMode: 'text', bodyText: text };
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function Timing({ record }: { record: TrafficRecord }) {
  const total = Math.max(record.durationMs, 0.001);
  const wait = record.ttfbMs ?? total;
  return (
    <div className="timing pad" aria-label="Timing">
      <div className="timing-row">
        <span>Waiting for the first byte</span>
        <div className="timing-track">
          <div className="timing-bar" data-part="wait" style={{ width: `${(wait / total) * 100}%` }} />
        </div>
        <span className="mono">{formatMs(wait)}</span>
      </div>
      <div className="timing-row">
        <span>Receiving the body</span>
        <div className="timing-track">
          <div className="timing-bar" data-part="receive" style={{ marginLeft: `${(wait / total) * 100}%`, width: `${((total - wait) / total) * 100}%` }} />
        </div>
        <span className="mono">{formatMs(total - wait)}</span>
      </div>
      <div className="timing-row total">
        <span>Total</span>
        <span />
        <span className="mono">{formatMs(total)}</span>
      </div>
      <p className="muted small">Measured by the gateway, from the request's arrival to the end of the answer.</p>
    </div>
  );
}

export function TrafficDetail({ detail }: { detail: TrafficDetailView }) {
  const { record } = detail;
  const [tab, setTab] = useState<Tab>('response');
  const [pinKind, setPinKind] = useState<PinKindView>('exact');
  const project = useStudio((s) => s.project);
  const gatewayUrl = project?.gatewayUrl;
  const requestBody = useMemo(() => base64ToBytes(detail.requestBody), [detail.requestBody]);
  const responseBody = useMemo(() => base64ToBytes(detail.responseBody), [detail.responseBody]);
  const traffic = useTraffic.getState();
  // In a short window the detail sits below the list; one opened below the fold is brought up.
  const pane = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const top = pane.current?.getBoundingClientRect().top;
    if (top !== undefined && top > window.innerHeight - 120) pane.current!.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, []);

  const openInPlayground = () => {
    useHttp.getState().load(draftOf(record, requestBody));
    useUi.getState().setView('http');
  };
  const copyCurl = async () => {
    const url = linkedAddress(record) ?? (gatewayUrl ? new URL(record.path, gatewayUrl).href : `${record.scheme}://${record.authority}${record.path}`);
    const text = decodeText(requestBody);
    const curl = toCurl({
      method: record.method,
      url,
      headers: record.requestHeaders.filter(([k]) => !CLIENT_HEADERS.has(k.toLowerCase())),
      body: requestBody.length > 0 && text !== undefined ? text : undefined,
      binaryBodyName: requestBody.length > 0 && text === undefined ? 'request-body' : undefined,
    });
    try {
      await navigator.clipboard.writeText(curl);
      useUi.getState().toast({ tone: 'success', title: 'Copied as curl' });
    } catch {
      useUi.getState().toast({ tone: 'error', title: 'Could not copy', detail: curl });
    }
  };

  const tabs: [Tab, string][] = [
    ['response', 'Response'],
    ['request', 'Request'],
    ['timing', 'Timing'],
    ['logs', `Logs (${logCount(record.logs)})`],
    ['outbound', `Outbound (${record.outbound.length})`],
  ];
  return (
    <div className="detail-pane traffic-detail" aria-label="Request detail" ref={pane}>
      <div className="detail-header">
        <div className="detail-title">
          <div className="traffic-title">
            <span className="method-badge">{record.method}</span> <span className="mono">{record.path}</span>
          </div>
          <div className="muted small">
            <span className="status-pill" data-class={record.status === undefined ? 0 : Math.floor(record.status / 100)}>
              {record.status ?? 'no status'}
            </span>{' '}
            {formatMs(record.durationMs)} · {formatBytes(record.responseBytes)} · {formatDateTime(record.time)}
            {record.build !== undefined && ` · ${versionName(project, record.build)}`}
            {record.workload && ` · ${record.workload}`}
            {record.worker !== undefined && ` · worker ${record.worker}`}
            {record.origin !== 'client' && ` · ${originTag(record.origin)}${record.replayOf !== undefined ? ` of #${record.replayOf}` : ''}`}
          </div>
        </div>
        <div className="detail-actions">
          <button className="btn" onClick={openInPlayground} disabled={record.requestCut} title={record.requestCut ? 'Its request body was not kept whole' : 'Edit and send it from the HTTP view'}>
            Open in playground
          </button>
          <button className="btn" onClick={() => void copyCurl()}>
            Copy as curl
          </button>
          <button className="btn" onClick={() => void traffic.replay({ ids: [record.id] }, 'live')} disabled={useTraffic.getState().replaying}>
            Replay
          </button>
          <span className="pin-group">
            <select className="input" aria-label="Check kind" value={pinKind} onChange={(e) => setPinKind(e.target.value as PinKindView)}>
              <option value="exact">exact body</option>
              <option value="json">JSON subset</option>
              <option value="regex">regex</option>
              <option value="status">status only</option>
            </select>
            <button className="btn" onClick={() => void traffic.pin([record.id], pinKind)}>
              Pin as check
            </button>
          </span>
        </div>
      </div>
      {(record.notes.length > 0 || record.requestCut || record.responseCut || !detail.bodiesKept) && (
        <div className="notice" role="note">
          {[
            ...record.notes,
            ...(record.responseCut ? [`The response body was cut at the capture's limit: ${formatBytes(responseBody.length)} of ${formatBytes(record.responseBytes)} kept.`] : []),
            ...(record.requestCut && !record.notes.some((n) => n.includes('request body')) ? [`The request body was not kept whole: ${formatBytes(requestBody.length)} of ${formatBytes(record.requestBytes)}.`] : []),
            ...(!detail.bodiesKept ? ['Its bodies are no longer kept.'] : []),
          ].join(' ')}
        </div>
      )}
      <div className="segmented traffic-tabs" role="tablist" aria-label="Detail" onKeyDown={onTabListKeyDown}>
        {tabs.map(([id, label]) => (
          <button key={id} role="tab" aria-selected={tab === id} tabIndex={tabStop(tab === id)} className={tab === id ? 'active' : ''} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      <div className="detail-body">
        {tab === 'response' && (
          <div className="traffic-part">
            <HeadersTable headers={record.responseHeaders} label="Response headers" />
            {responseBody.length > 0 || record.responseBytes > 0 ? <ValueViewer bytes={responseBody} contentType={headerOf(record.responseHeaders, 'content-type') ?? ''} totalSize={record.responseBytes} label="Response body" rest={CUT_BODY} /> : <div className="muted small pad">No body.</div>}
          </div>
        )}
        {tab === 'request' && (
          <div className="traffic-part">
            <HeadersTable headers={record.requestHeaders} label="Request headers" />
            {requestBody.length > 0 || record.requestBytes > 0 ? <ValueViewer bytes={requestBody} contentType={headerOf(record.requestHeaders, 'content-type') ?? ''} totalSize={record.requestBytes} label="Request body" rest={CUT_BODY} /> : <div className="muted small pad">No body.</div>}
          </div>
        )}
        {tab === 'timing' && <Timing record={record} />}
        {tab === 'logs' && <RequestLogs logs={record.logs} />}
        {tab === 'outbound' && <OutboundCalls calls={record.outbound} />}
      </div>
    </div>
  );
}
