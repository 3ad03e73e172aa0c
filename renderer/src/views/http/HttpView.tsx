// The HTTP playground, Bruno-like: saved examples and a searchable history on the left, the
// request (method, URL, params, headers, body) and the response (status, time, size, headers,
// body by content) side by side. Ctrl/Cmd+Enter sends; while it waits, Cancel or Esc stops
// waiting. Copy as curl, import from curl.
import { useEffect, useMemo, useRef, useState } from 'react';
import { CodeEditor } from '../../components/CodeEditor.tsx';
import { ConfirmDialog, Dialog, DialogActions, dialogShown, ErrorNotice } from '../../components/Dialog.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ValueViewer } from '../../components/ValueViewer.tsx';
import { base64ToBytes, bytesToBase64 } from '../../lib/bytes.ts';
import { CurlParseError, parseCurl, toCurl } from '../../lib/curl.ts';
import { downloadBlob, withExtension } from '../../lib/download.ts';
import { Ago } from '../../components/Ago.tsx';
import { formatBytes, formatMs } from '../../lib/format.ts';
import { onRadioGroupKeyDown, onTabListKeyDown, tabStop } from '../../lib/tab-list-keyboard.ts';
import { useElapsedSeconds } from '../../lib/clock.ts';
import { studio } from '../../api/client.ts';
import { isMod } from '../../shell/shortcuts.ts';
import { useStudio } from '../../stores/studio-store.ts';
import { modKey, useIsActive, useUi } from '../../stores/ui-store.ts';
import { withBodyMode } from './body-mode.ts';
import { examplesFor } from './http-examples.ts';
import { openProjectIsQr } from '../../lib/qr-example.ts';
import { gatewayPath } from './gateway-path.ts';
import { type BodyMode, bodyText, CANCELLED, effectiveHeaders, type HistoryEntry, METHODS, MORE_METHODS, notServingReason, paramsOf, type RequestDraft, type Sending, sendsBody, useHttp, withParams } from './http-store.ts';
import { PairsTable } from './PairsTable.tsx';
import { logCount, OutboundCalls, RequestLogs } from '../traffic/TrafficDetail.tsx';
import type { HttpResponseView } from '../../api/types.ts';

type RequestTab = 'params' | 'headers' | 'body';
type ResponseTab = 'body' | 'headers' | 'logs' | 'outbound';

function statusTone(status: number): string {
  if (status < 300) return 'ok';
  if (status < 400) return 'redirect';
  if (status < 500) return 'client';
  return 'server';
}

function absoluteUrl(url: string, gateway: string | undefined): string {
  if (url.startsWith('/') && gateway) return new URL(url, gateway).toString();
  return url;
}

function Sidebar({ gatewayUrl, examples }: { gatewayUrl: string | undefined; examples: ReturnType<typeof examplesFor> }) {
  const history = useHttp((s) => s.history);
  const reopened = useHttp((s) => s.reopened);
  const [search, setSearch] = useState('');
  const [confirmClear, setConfirmClear] = useState(false);
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    if (!q) return history;
    return history.filter((h) => `${h.request.method} ${h.request.url} ${h.status ?? ''} ${h.error ?? ''} ${bodyText(h.request) ?? ''}`.toLowerCase().includes(q));
  }, [history, search]);
  return (
    <aside className="http-sidebar" aria-label="Requests">
      <div className="pane-heading">{examples.heading}</div>
      <ul className="saved-list">
        {examples.requests.map((r) => (
          <li key={r.name}>
            <button className="saved-item" onClick={() => useHttp.getState().load(r)} title={gatewayUrl ? absoluteUrl(r.url, gatewayUrl) : r.url}>
              <span className={`method method-${r.method}`}>{r.method}</span>
              <span className="ellipsis">{r.name}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="pane-heading history-heading">
        History
        {history.length > 0 && (
          <button className="link-btn small" onClick={() => setConfirmClear(true)}>
            Clear
          </button>
        )}
      </div>
      {confirmClear && (
        <ConfirmDialog
          title="Clear the history?"
          confirmLabel="Clear"
          onCancel={() => setConfirmClear(false)}
          onConfirm={() => {
            setConfirmClear(false);
            useHttp.getState().clearHistory();
          }}
        >
          <p>This forgets the {history.length === 1 ? 'request' : `${history.length} requests`} sent from here, with their responses. The Traffic view keeps what the gateway captured.</p>
        </ConfirmDialog>
      )}
      <input className="input" type="search" placeholder="Search history" aria-label="Search history" value={search} onChange={(e) => setSearch(e.target.value)} />
      <ul className="history-list" aria-label="History">
        {history.length === 0 && <li className="muted small pad">Requests you send appear here, and stay after a restart.</li>}
        {history.length > 0 && shown.length === 0 && <li className="muted small pad">No request matches “{search}”.</li>}
        {shown.map((h: HistoryEntry) => (
          <li key={h.id}>
            <button className={`history-item${reopened?.id === h.id ? ' active' : ''}`} aria-current={reopened?.id === h.id ? 'true' : undefined} onClick={() => useHttp.getState().reopen(h)} title={`${new Date(h.at).toLocaleString()}: open this request and its response`}>
              <span className={`method method-${h.request.method}`}>{h.request.method}</span>
              <span className="ellipsis mono">{h.request.url}</span>
              {h.status === undefined && h.errorCode === CANCELLED ? (
                <span className="status-mini muted" title="You cancelled it">—</span>
              ) : (
                <span className={`status-mini ${h.status ? `tone-${statusTone(h.status)}` : 'tone-server'}`}>{h.status ?? 'ERR'}</span>
              )}
              <span className="muted tiny">
                <Ago at={h.at} />
              </span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}

function BodyEditor({ draft, onSend }: { draft: RequestDraft; onSend: () => void }) {
  const update = useHttp((s) => s.update);
  const fileInput = useRef<HTMLInputElement>(null);
  const modes: { id: BodyMode; label: string }[] = [
    { id: 'none', label: 'None' },
    { id: 'json', label: 'JSON' },
    { id: 'text', label: 'Text' },
    { id: 'form', label: 'Form' },
    { id: 'file', label: 'File' },
  ];
  return (
    <div className="body-editor">
      <div className="segmented" role="radiogroup" aria-label="Body type" onKeyDown={onRadioGroupKeyDown}>
        {modes.map((m) => (
          <button key={m.id} role="radio" aria-checked={draft.bodyMode === m.id} tabIndex={tabStop(draft.bodyMode === m.id)} className={draft.bodyMode === m.id ? 'active' : ''} onClick={() => update(withBodyMode(draft, m.id))}>
            {m.label}
          </button>
        ))}
      </div>
      {draft.bodyMode === 'none' && <p className="muted pad">No body. Pick JSON, Text, Form or File to send one.</p>}
      {draft.bodyMode !== 'none' && !sendsBody(draft) && <div className="notice notice-warn">{draft.method} requests are sent without a body. Switch the method to POST or PUT to send this one.</div>}
      {draft.bodyMode === 'json' && <CodeEditor value={draft.bodyJson} language="json" onChange={(v) => update({ bodyJson: v })} onRun={onSend} label="JSON body" />}
      {draft.bodyMode === 'text' && <CodeEditor value={draft.bodyText} language="plaintext" onChange={(v) => update({ bodyText: v })} onRun={onSend} label="Text body" />}
      {draft.bodyMode === 'form' && <PairsTable label="Form fields" pairs={draft.form} onChange={(form) => update({ form })} keyLabel="Field" />}
      {draft.bodyMode === 'file' && (
        <div className="file-body pad">
          <button className="btn" onClick={() => fileInput.current?.click()}>
            Choose a file…
          </button>
          <input
            ref={fileInput}
            type="file"
            hidden
            aria-label="Body file"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              if (!f) return;
              const bytes = new Uint8Array(await f.arrayBuffer());
              update({ file: { name: f.name, size: f.size, type: f.type, base64: bytesToBase64(bytes) } });
            }}
          />
          {draft.file ? (
            <span className="muted">
              {draft.file.name} · {formatBytes(draft.file.size)} · {draft.file.type || 'application/octet-stream'}
            </span>
          ) : (
            <span className="muted">The file's bytes are sent as they are (binary is fine).</span>
          )}
        </div>
      )}
    </div>
  );
}

/** Each response gets a number once: the summary is replaced (and said again) per response, not per render. */
const responseNumbers = new WeakMap<HttpResponseView, number>();
let lastResponseNumber = 0;
function responseNumber(response: HttpResponseView): number {
  let n = responseNumbers.get(response);
  if (n === undefined) responseNumbers.set(response, (n = ++lastResponseNumber));
  return n;
}

/** A body this big gets a word of its own while it goes out: sending it takes a moment. */
const BIG_BODY = 1024 * 1024;

/** The request out: what it is doing (a big body still leaving the page, then the wait), for how long, and Cancel. */
function Waiting({ sending }: { sending: Sending }) {
  const seconds = useElapsedSeconds(sending.at);
  // Read again at each tick of the seconds.
  const bodyLeaving = studio.unsentBytes() > 0;
  const body = formatBytes(sending.bodySize);
  return (
    <div className="waiting pad">
      <span className="spinner" />
      <span>
        {sending.bodySize < BIG_BODY ? 'Waiting for the response…' : bodyLeaving ? `Sending the body (${body})…` : `Body sent (${body}). Waiting for the response…`}{' '}
        <span className="muted" data-testid="waiting-seconds">
          {seconds} s
        </span>
      </span>
      <button className="btn btn-small" onClick={() => useHttp.getState().cancel()} title="Stop waiting (Esc): the studio may still finish the request, and its answer is ignored">
        Cancel
      </button>
    </div>
  );
}

function ResponsePane({ examples }: { examples: ReturnType<typeof examplesFor> }) {
  const { response, problem, sending, reopened } = useHttp();
  const gatewayUrl = useStudio((s) => s.project?.gatewayUrl);
  const [chosenTab, setTab] = useState<ResponseTab>('body');
  // The log and the outbound calls are one request's: the next answer opens on its body (headers stay chosen).
  useEffect(() => setTab((t) => (t === 'logs' || t === 'outbound' ? 'body' : t)), [response]);
  const tab = (chosenTab === 'logs' && !response?.logs) || (chosenTab === 'outbound' && !response?.outbound?.length) ? 'body' : chosenTab;
  const bytes = useMemo(() => (response ? base64ToBytes(response.body) : undefined), [response]);
  const contentType = response?.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';

  const shown = response && bytes && problem?.kind !== 'api' ? { response, bytes } : undefined;
  // The summary is a polite live region that stays in the pane, so a screen reader says the
  // status, time and size of each response once, when it arrives (its content is replaced per
  // response, not per render).
  const meta = (
    <div className={`response-meta${shown ? '' : ' response-meta-empty'}`}>
      <div className="response-summary" role="status" aria-live="polite" aria-atomic="true">
        {shown && (
          <span className="response-summary-items" key={responseNumber(shown.response)}>
            <span className="visually-hidden">Response: </span>
            <span className={`status-pill tone-${statusTone(shown.response.status)}`} data-testid="response-status">
              {shown.response.status} {shown.response.statusText}
            </span>
            <span className="visually-hidden">, </span>
            <span className="meta-item" title="Time to the full response, measured by the studio">
              {formatMs(shown.response.timeMs)}
            </span>
            <span className="visually-hidden">, </span>
            <span className="meta-item">{formatBytes(shown.response.size)}</span>
          </span>
        )}
      </div>
      {shown && (
        <>
          <div className="toolbar-spacer" />
          <div className="segmented" role="tablist" aria-label="Response" onKeyDown={onTabListKeyDown}>
            <button role="tab" aria-selected={tab === 'body'} tabIndex={tabStop(tab === 'body')} className={tab === 'body' ? 'active' : ''} onClick={() => setTab('body')}>
              Body
            </button>
            <button role="tab" aria-selected={tab === 'headers'} tabIndex={tabStop(tab === 'headers')} className={tab === 'headers' ? 'active' : ''} onClick={() => setTab('headers')}>
              Headers <span className="count">{shown.response.headers.length}</span>
            </button>
            {shown.response.logs && (
              <button role="tab" aria-selected={tab === 'logs'} tabIndex={tabStop(tab === 'logs')} className={tab === 'logs' ? 'active' : ''} onClick={() => setTab('logs')} title="What the component logged while it served this request">
                Logs <span className="count">{logCount(shown.response.logs)}</span>
              </button>
            )}
            {!!shown.response.outbound?.length && (
              <button role="tab" aria-selected={tab === 'outbound'} tabIndex={tabStop(tab === 'outbound')} className={tab === 'outbound' ? 'active' : ''} onClick={() => setTab('outbound')} title="The outbound HTTP calls the component made while it served this request">
                Outbound <span className="count">{shown.response.outbound.length}</span>
              </button>
            )}
          </div>
          <button
            className="btn btn-small"
            title="Save the response body as a file"
            onClick={() => downloadBlob(shown.bytes as BlobPart, withExtension(`response-${shown.response.status}`, contentType), contentType || 'application/octet-stream')}
          >
            <span aria-hidden="true">↓</span> Save body
          </button>
        </>
      )}
    </div>
  );

  if (problem?.kind === 'api')
    return (
      <div className="response-pane" aria-label="Response">
        {meta}
        {problem.code === CANCELLED ? (
          // The user's own doing, not a failure: said plainly, not as an alert.
          <EmptyState title="Cancelled" icon="⇄">
            <p>{problem.message}</p>
          </EmptyState>
        ) : (
          <div className="error-note" role="alert">
            <div className="error-title">The request did not complete</div>
            <div className="error-message">{problem.message}</div>
            {problem.hint && <div className="error-hint">{problem.hint}</div>}
            <div className="error-foot">
              <code className="error-code">{problem.code}</code>
            </div>
          </div>
        )}
      </div>
    );
  if (!response || !bytes)
    return (
      <div className="response-pane" aria-label="Response">
        {meta}
        {sending ? (
          <Waiting sending={sending} />
        ) : problem && !(problem.kind === 'gateway' && gatewayUrl) ? (
          // Said beside the request too; here it takes the place of a first-run hint that would not fit.
          <EmptyState title="Not sent" icon="⇄">
            <p>{problem.message}</p>
          </EmptyState>
        ) : reopened ? (
          <EmptyState title="Response not kept" icon="⇄">
            <p>
              This request {reopened.status !== undefined ? `got ${reopened.status}` : 'was sent'} <Ago at={reopened.at} />. This window keeps the responses of its last 30 requests in memory, so a reload or another window starts without them;{' '}
              {reopened.request.bodyMode === 'file' && sendsBody(reopened.request) ? 'pick its body file again, then press ' : 'press '}
              <kbd>{modKey}</kbd>+<kbd>Enter</kbd> to send it again.
            </p>
          </EmptyState>
        ) : (
          <EmptyState title="Send a request" icon="⇄">
            <p>
              Press <kbd>{modKey}</kbd>+<kbd>Enter</kbd> or <strong>Send</strong>.{' '}
              {examples.qr ? (
                <>
                  The first example, <code>POST /qrcode</code>, returns a QR code image of its payload.
                </>
              ) : (
                <>
                  Pick an example on the left, type a path, or paste a curl command (<strong>Import curl</strong>).
                </>
              )}
            </p>
          </EmptyState>
        )}
      </div>
    );
  return (
    <div className="response-pane" aria-label="Response">
      {meta}
      {tab === 'body' && response.status >= 500 && response.logs && response.logs.some((l) => l.level === 'error' || l.level === 'warn' || l.level === 'critical') && (
        <div className="notice notice-warn" role="note">
          The component logged {response.logs.length === 1 ? 'a line' : `${response.logs.length} lines`} while serving this request.{' '}
          <button className="link-btn" onClick={() => setTab('logs')}>
            Show the log
          </button>
        </div>
      )}
      {tab === 'logs' && response.logs ? (
        <RequestLogs logs={response.logs} />
      ) : tab === 'outbound' && response.outbound ? (
        <OutboundCalls calls={response.outbound} />
      ) : tab === 'body' ? (
        bytes.length === 0 ? (
          <div className="muted pad">No body.</div>
        ) : (
          <ValueViewer bytes={bytes} contentType={contentType} totalSize={response.truncated ? response.size : bytes.length} label="Response body" rest="Only this much came back to the studio window: copy the request as curl to fetch all of it." />
        )
      ) : (
        <table className="headers-table">
          <tbody>
            {response.headers.map(([k, v], i) => (
              <tr key={i}>
                <th className="mono">{k}</th>
                <td className="mono">{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function CurlImportDialog({ onClose }: { onClose: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const gatewayUrl = useStudio((s) => s.project?.gatewayUrl);
  const importIt = () => {
    try {
      const parsed = parseCurl(text);
      // A URL on the gateway becomes a path, so it keeps working when the port changes.
      const url = (gatewayUrl ? gatewayPath(parsed.url, gatewayUrl) : undefined) ?? parsed.url;
      const isJson = parsed.headers.some(([k, v]) => k.toLowerCase() === 'content-type' && /json/i.test(v));
      useHttp.getState().load({
        method: parsed.method,
        url,
        headers: parsed.headers.map(([key, value]) => ({ key, value, enabled: true })),
        bodyMode: parsed.body === undefined ? 'none' : isJson ? 'json' : 'text',
        bodyText: parsed.body !== undefined && !isJson ? parsed.body : '',
        bodyJson: parsed.body !== undefined && isJson ? parsed.body : '',
        form: [],
      });
      for (const w of parsed.warnings) useUi.getState().toast({ tone: 'info', title: 'Imported with a note', detail: w }, 8000);
      onClose();
    } catch (err) {
      setError(err instanceof CurlParseError ? err.message : `Could not read that command: ${(err as Error).message}`);
    }
  };
  return (
    <Dialog
      title="Import from curl"
      wide
      onClose={onClose}
      footer={<DialogActions label="Import" onConfirm={importIt} onCancel={onClose} />}
    >
      <label className="field">
        <span>Paste a curl command</span>
        <textarea
          className="input mono"
          rows={8}
          data-autofocus
          aria-label="curl command"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setError(undefined);
          }}
          placeholder={`curl -X POST http://127.0.0.1:8000/qrcode -H 'Content-Type: application/json' -d '{"payload":"hello"}'`}
        />
      </label>
      {error && <ErrorNotice>{error}</ErrorNotice>}
    </Dialog>
  );
}

function CurlExportDialog({ command, onClose }: { command: string; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <Dialog
      title="Copy as curl"
      wide
      onClose={onClose}
      footer={
        <button
          className="btn btn-primary"
          onClick={() =>
            navigator.clipboard?.writeText(command).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied ✓' : 'Copy'}
        </button>
      }
    >
      <pre className="curl-text" aria-label="curl command">
        {command}
      </pre>
    </Dialog>
  );
}

export function HttpView() {
  const draft = useHttp((s) => s.draft);
  const problem = useHttp((s) => s.problem);
  const sending = useHttp((s) => s.sending);
  const update = useHttp((s) => s.update);
  const gatewayUrl = useStudio((s) => s.project?.gatewayUrl);
  // A string, so the workloads' live statistics do not re-render the view.
  const notServing = useStudio((s) => (s.project?.gatewayUrl ? '' : notServingReason(s.builds, s.workloads)));
  // A boolean, so the workloads' live statistics do not re-render the view.
  const qr = useStudio(openProjectIsQr);
  const examples = useMemo(() => examplesFor(qr), [qr]);
  // A first visit starts on the project's first example; a draft of the user's own stays.
  useEffect(() => useHttp.getState().suggest(examples.requests[0]!), [examples]);
  const active = useIsActive('http');
  const [tab, setTab] = useState<RequestTab>(draft.bodyMode !== 'none' ? 'body' : 'params');
  // A request picked from the examples or the history opens on its body, when it has one.
  useEffect(() => {
    if (draft.bodyMode !== 'none') setTab('body');
  }, [draft.name, draft.bodyMode]);
  // A header that cannot be sent is shown where it can be fixed.
  useEffect(() => {
    if (problem?.kind === 'header') setTab('headers');
  }, [problem]);
  const [curlIn, setCurlIn] = useState(false);
  const [curlOut, setCurlOut] = useState<string>();
  const params = useMemo(() => paramsOf(draft.url), [draft.url]);
  const headerCount = draft.headers.filter((h) => h.enabled && h.key).length;

  const send = () => {
    const { project, builds, workloads } = useStudio.getState();
    void useHttp.getState().send(project?.gatewayUrl, notServingReason(builds, workloads));
  };

  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if (isMod(e) && e.key === 'Enter') {
        e.preventDefault();
        send();
      } else if (e.key === 'Escape' && useHttp.getState().sending && !dialogShown() && !e.defaultPrevented) {
        e.preventDefault();
        useHttp.getState().cancel();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active]);

  const copyCurl = () => {
    const withBody = sendsBody(draft);
    const body = withBody ? bodyText(draft) : undefined;
    setCurlOut(toCurl({ method: draft.method, url: absoluteUrl(draft.url.trim(), gatewayUrl), headers: effectiveHeaders(draft), body, binaryBodyName: withBody && draft.bodyMode === 'file' ? (draft.file?.name ?? 'file') : undefined }));
  };

  return (
    <div className="view-fill http-view">
      {/* Every view has its title; this one's layout shows the request bar where it would be. */}
      <h1 className="visually-hidden">HTTP</h1>
      <Sidebar gatewayUrl={gatewayUrl} examples={examples} />
      <div className="http-main">
        <div className="request-bar">
          <select className="input method-select" aria-label="Method" value={draft.method} onChange={(e) => update({ method: e.target.value })}>
            {METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
            <optgroup label="More methods">
              {MORE_METHODS.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </optgroup>
          </select>
          <input
            className="input url-input mono"
            aria-label="URL"
            placeholder="/path on the gateway, or http://…"
            value={draft.url}
            onChange={(e) => update({ url: e.target.value })}
            onKeyDown={(e) => e.key === 'Enter' && !isMod(e) && send()}
            spellCheck={false}
          />
          <button className="btn btn-primary send-btn" disabled={sending !== undefined} onClick={send} title={`Send (${modKey}+Enter)`}>
            {sending ? 'Sending…' : 'Send'}
          </button>
          <button className="btn" onClick={copyCurl} title="Copy this request as a curl command">
            Copy as curl
          </button>
          <button className="btn" onClick={() => setCurlIn(true)} title="Paste a curl command">
            Import curl
          </button>
        </div>
        <div className="url-hint muted small">{draft.url.startsWith('/') ? (gatewayUrl ? `→ ${absoluteUrl(draft.url, gatewayUrl)}` : notServing) : ' '}</div>
        {problem && problem.kind !== 'api' && !(problem.kind === 'gateway' && gatewayUrl) && (
          <ErrorNotice testId="request-problem">{problem.message}</ErrorNotice>
        )}
        <div className="http-split">
          <div className="request-pane" aria-label="Request">
            <div className="tabs" role="tablist" aria-label="Request" onKeyDown={onTabListKeyDown}>
              <button role="tab" aria-selected={tab === 'params'} tabIndex={tabStop(tab === 'params')} className={tab === 'params' ? 'active' : ''} onClick={() => setTab('params')}>
                Params {params.length > 0 && <span className="count">{params.length}</span>}
              </button>
              <button role="tab" aria-selected={tab === 'headers'} tabIndex={tabStop(tab === 'headers')} className={tab === 'headers' ? 'active' : ''} onClick={() => setTab('headers')}>
                Headers {headerCount > 0 && <span className="count">{headerCount}</span>}
              </button>
              <button role="tab" aria-selected={tab === 'body'} tabIndex={tabStop(tab === 'body')} className={tab === 'body' ? 'active' : ''} onClick={() => setTab('body')}>
                Body {sendsBody(draft) && <span className="count">{draft.bodyMode}</span>}
              </button>
            </div>
            <div className="tab-body">
              {tab === 'params' && <PairsTable label="Query parameters" toggles={false} pairs={params} onChange={(p) => update({ url: withParams(draft.url, p) })} />}
              {tab === 'headers' && (
                <>
                  <PairsTable label="Headers" pairs={draft.headers} onChange={(headers) => update({ headers })} keyLabel="Header" invalidRow={problem?.kind === 'header' ? problem.row : undefined} />
                  {draft.bodyMode !== 'none' && !draft.headers.some((h) => h.enabled && h.key.toLowerCase() === 'content-type') && (
                    <p className="muted small pad">Content-Type is set from the body type: {effectiveHeaders(draft).find(([k]) => k === 'Content-Type')?.[1]}</p>
                  )}
                </>
              )}
              {tab === 'body' && <BodyEditor draft={draft} onSend={send} />}
            </div>
          </div>
          <ResponsePane examples={examples} />
        </div>
      </div>
      {curlIn && <CurlImportDialog onClose={() => setCurlIn(false)} />}
      {curlOut !== undefined && <CurlExportDialog command={curlOut} onClose={() => setCurlOut(undefined)} />}
    </div>
  );
}

