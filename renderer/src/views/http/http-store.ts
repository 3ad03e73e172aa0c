// The HTTP playground's state: the request being edited, the last response, and the history.
// The request is sent by the Node side (http.send), so there is no CORS and the timing is
// the server's. Cancelling cannot stop the studio's request: the view stops waiting and
// ignores its answer. The draft and the history persist on the Node side (ui.state.*), because in
// browser mode the page's origin (and so its localStorage) changes with the bridge's port;
// localStorage is only a fast first paint until the server's copy arrives. Both are the open
// project's: another project shows its own (projectScope), and a request still out when it
// opens is forgotten, as a cancelled one is, without an entry in either history.
import { create } from 'zustand';
import { describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import type { BuildView, HttpResponseView, ProjectView, WorkloadView } from '../../api/types.ts';
import { textToBase64 } from '../../lib/bytes.ts';
import { jsonProblem } from '../../lib/json-problem.ts';
import { projectScope } from '../../stores/project-scope.ts';
import { impliedContentType } from './body-mode.ts';
import { headerProblem } from './header-check.ts';
import { ROOT_REQUEST } from './http-examples.ts';
import { savedDraft, savedHistory } from './saved-request.ts';

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
/**
 * The other methods the gateway serves (Node's parser knows them: WebDAV, caches' PURGE, the
 * QUERY draft), listed apart. CONNECT is left out: it asks a proxy for a tunnel.
 */
export const MORE_METHODS = ['ACL', 'BIND', 'CHECKOUT', 'COPY', 'LINK', 'LOCK', 'M-SEARCH', 'MERGE', 'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'PROPFIND', 'PROPPATCH', 'PURGE', 'QUERY', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK', 'UNLOCK', 'UNSUBSCRIBE'] as const;
export type BodyMode = 'none' | 'text' | 'json' | 'form' | 'file';

export interface Pair {
  key: string;
  value: string;
  enabled: boolean;
}

export interface BodyFile {
  name: string;
  size: number;
  type: string;
  base64: string;
}

export interface RequestDraft {
  method: string;
  url: string;
  headers: Pair[];
  bodyMode: BodyMode;
  bodyText: string;
  bodyJson: string;
  form: Pair[];
  /** Not persisted: files stay in memory only. */
  file?: BodyFile | undefined;
  /** Which saved request this came from, if any. */
  name?: string | undefined;
}

export interface HistoryEntry {
  id: string;
  at: number;
  request: RequestDraft;
  status: number | undefined;
  timeMs: number | undefined;
  error: string | undefined;
  /** With `error`: the failure's code and hint (entries from before these were kept have none). */
  errorCode?: string;
  errorHint?: string;
}

export type SendProblem =
  | { kind: 'json'; message: string }
  | { kind: 'url'; message: string }
  /** A path sent while the gateway was not serving: moot once it serves. */
  | { kind: 'gateway'; message: string }
  /** A header that cannot be sent, at `row` of the draft's headers. */
  | { kind: 'header'; message: string; row: number }
  | { kind: 'api'; message: string; hint?: string; code: string };

/** The request out: since when, and the size of its body (0 for none). */
export interface Sending {
  at: number;
  bodySize: number;
}

/** The code of a request the user stopped waiting for, in its problem and its history entry. */
export const CANCELLED = 'cancelled';

/**
 * The draft and the history are the open project's: another project has other routes, and
 * its last request would be a 404 here. Keyed by the project's path, set once it is known.
 */
let projectPath = '';
/** The project in a key: its folder's name and a hash of its path (ui.state keys are short). */
const projectTag = () => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < projectPath.length; i++) hash = Math.imul(hash ^ projectPath.charCodeAt(i), 0x01000193);
  return `${projectPath.split(/[\\/]/).filter(Boolean).pop()?.slice(0, 60) ?? ''}-${(hash >>> 0).toString(16)}`;
};
const draftKey = () => `component-studio.http.draft|${projectTag()}`;
const historyKey = () => `component-studio.http.history|${projectTag()}`;
const HISTORY_MAX = 200;
/**
 * Responses of the latest requests, kept in memory for reopening them from the history. Not
 * saved: bodies can be large, and the history is saved on every send.
 */
const RESPONSES_KEPT = 30;

/** The local copy at `key`, unchecked (savedDraft and savedHistory check it), or undefined. */
function load(key: string): unknown {
  try {
    const raw = localStorage.getItem(key);
    return raw ? JSON.parse(raw) : undefined;
  } catch {
    return undefined;
  }
}

const pendingSaves = new Map<string, ReturnType<typeof setTimeout>>();

function save(key: string, value: unknown) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the server keeps the state anyway.
  }
  // Typing changes the draft on every key: send the latest value once it settles.
  clearTimeout(pendingSaves.get(key));
  pendingSaves.set(
    key,
    setTimeout(() => {
      pendingSaves.delete(key);
      studio.call('ui.state.set', { key, value }).catch(() => {
        // Not connected or refused: localStorage still has it for this origin.
      });
    }, 400),
  );
}

/** Replaces the locally remembered draft and history with the server's copy, if it has one. */
export async function hydrateHttpState(): Promise<void> {
  const keys = { draft: draftKey(), history: historyKey() };
  // Through the scope: when another project opens meanwhile, this answer is not for it.
  const [draft, history] = await Promise.all([projectScope.call('ui.state.get', { key: keys.draft }), projectScope.call('ui.state.get', { key: keys.history })]);
  const patch: Partial<Pick<HttpState, 'draft' | 'draftChosen' | 'history'>> = {};
  // Only while the user has not started editing: their newer work wins. A saved draft that is
  // not a request leaves the one shown; the history keeps its well-formed entries.
  const saved = savedDraft(draft.value);
  if (saved && !pendingSaves.has(keys.draft)) Object.assign(patch, { draft: saved, draftChosen: true });
  if (Array.isArray(history.value) && !pendingSaves.has(keys.history)) patch.history = savedHistory(history.value);
  useHttp.setState(patch);
}

/** Shows the draft and history of the project at `path` (the one just opened). */
export function showProject(path: string): void {
  projectPath = path;
  const draft = savedDraft(load(draftKey()));
  useHttp.setState({
    draft: draft ?? ROOT_REQUEST,
    draftChosen: draft !== undefined,
    history: savedHistory(load(historyKey())),
    response: undefined,
    problem: undefined,
    responses: {},
    reopened: undefined,
  });
  hydrated = false;
  hydrateOnce();
}

function withoutFile(r: RequestDraft): RequestDraft {
  const { file, ...rest } = r;
  return rest;
}

/** The query pairs of a URL (absolute or relative), in order. */
export function paramsOf(url: string): Pair[] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  if (!query) return [];
  return query.split('&').map((part) => {
    const eq = part.indexOf('=');
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return s;
      }
    };
    return { key: dec(eq < 0 ? part : part.slice(0, eq)), value: eq < 0 ? '' : dec(part.slice(eq + 1)), enabled: true };
  });
}

/** The URL with its query replaced by these pairs. */
export function withParams(url: string, params: Pair[]): string {
  const q = url.indexOf('?');
  const hashAt = url.indexOf('#');
  const base = q >= 0 ? url.slice(0, q) : hashAt >= 0 ? url.slice(0, hashAt) : url;
  const hash = hashAt >= 0 ? url.slice(hashAt) : '';
  const query = params
    .filter((p) => p.key || p.value)
    .map((p) => (p.value ? `${encodeURIComponent(p.key)}=${encodeURIComponent(p.value)}` : encodeURIComponent(p.key)))
    .join('&');
  return `${base}${query ? `?${query}` : ''}${hash}`;
}

const NOT_SERVING = 'The gateway is not serving yet.';

/**
 * Why the gateway is not serving, from the builds and workloads: the first build still
 * running says to wait; a failed one or a workload that could not start says where to look.
 */
export function notServingReason(builds: readonly Pick<BuildView, 'outcome'>[], workloads: readonly Pick<WorkloadView, 'state' | 'service'>[]): string {
  const last = builds.at(-1);
  if (last?.outcome === 'running') return builds.some((b) => b.outcome === 'failed') ? 'The gateway is not serving yet: a build is still running.' : 'The gateway is not serving yet: the first build is still running.';
  if (workloads.length > 0 && workloads.every((w) => w.service)) return 'Nothing serves HTTP here: the workload runs as a service.';
  if (last?.outcome === 'failed' || workloads.some((w) => w.state === 'failed')) return 'The gateway is not serving: the component did not build or could not start (its error is in Workloads and Logs).';
  return NOT_SERVING;
}

/** Resolves the URL the way the Node side will, to catch typos before sending. */
export function checkUrl(url: string, gatewayUrl: string | undefined, notServing = NOT_SERVING): string | undefined {
  const trimmed = url.trim();
  if (!trimmed) return 'Type a URL: a path like /qrcode (sent to the gateway) or a full http:// address.';
  if (trimmed.startsWith('/')) {
    if (!gatewayUrl) return `${notServing} A path like this goes to the gateway; a full http:// URL can be sent now.`;
    return undefined;
  }
  try {
    const u = new URL(trimmed);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return `Only http:// and https:// URLs can be sent, not ${u.protocol}//.`;
    return undefined;
  } catch {
    return `"${trimmed}" is not a URL. Start it with / for the gateway, or with http://.`;
  }
}

export function sendsBody(r: RequestDraft): boolean {
  return r.bodyMode !== 'none' && r.method !== 'GET' && r.method !== 'HEAD';
}

export function effectiveHeaders(r: RequestDraft): [string, string][] {
  const headers: [string, string][] = r.headers.filter((h) => h.enabled && h.key.trim()).map((h) => [h.key.trim(), h.value]);
  const has = (name: string) => headers.some(([k]) => k.toLowerCase() === name);
  const ct = sendsBody(r) ? impliedContentType(r.bodyMode, r.file) : undefined;
  if (ct && !has('content-type')) headers.push(['Content-Type', ct]);
  return headers;
}

export function bodyText(r: RequestDraft): string | undefined {
  switch (r.bodyMode) {
    case 'none':
    case 'file':
      return undefined;
    case 'text':
      return r.bodyText;
    case 'json':
      return r.bodyJson;
    case 'form':
      return r.form
        .filter((p) => p.enabled && (p.key || p.value))
        .map((p) => `${encodeURIComponent(p.key)}=${encodeURIComponent(p.value)}`)
        .join('&');
  }
}

interface HttpState {
  draft: RequestDraft;
  response: HttpResponseView | undefined;
  problem: SendProblem | undefined;
  sending: Sending | undefined;
  history: HistoryEntry[];
  /** Responses by history entry id, for the latest RESPONSES_KEPT requests of this session. */
  responses: Record<string, HttpResponseView>;
  /** The history entry reopened last, while its request is what the response pane is about. */
  reopened: HistoryEntry | undefined;
  /** The user picked or edited a draft (here or in an earlier session): suggestions leave it alone. */
  draftChosen: boolean;
  update(patch: Partial<RequestDraft>): void;
  load(request: RequestDraft): void;
  /** Shows `request` as the draft unless the user has one of their own (the project's first example). */
  suggest(request: RequestDraft): void;
  /** Loads a history entry's request, with its response (or its failure) when still kept. */
  reopen(entry: HistoryEntry): void;
  /** `notServing`: why the gateway is not serving, said when a path cannot be sent (see notServingReason). */
  send(gatewayUrl: string | undefined, notServing?: string): Promise<void>;
  /** Stops waiting for the request out; its answer, if it comes, is ignored. */
  cancel(): void;
  clearHistory(): void;
  removeHistory(id: string): void;
}

export const useHttp = create<HttpState>((set, get) => ({
  // Until the project is known (showProject), the root request and no history.
  draft: ROOT_REQUEST,
  draftChosen: false,
  response: undefined,
  problem: undefined,
  sending: undefined,
  history: [],
  responses: {},
  reopened: undefined,

  update(patch) {
    const draft = { ...get().draft, ...patch };
    set({ draft, draftChosen: true, ...(get().problem?.kind !== 'api' ? { problem: undefined } : {}) });
    save(draftKey(), withoutFile(draft));
  },

  load(request) {
    set({ draft: { ...request }, draftChosen: true, problem: undefined, response: undefined, reopened: undefined });
    save(draftKey(), withoutFile(request));
  },

  suggest(request) {
    if (!get().draftChosen) set({ draft: { ...request } });
  },

  reopen(entry) {
    const response = get().responses[entry.id];
    const problem: SendProblem | undefined = !response && entry.error !== undefined ? { kind: 'api', message: entry.error, code: entry.errorCode ?? 'error', ...(entry.errorHint ? { hint: entry.errorHint } : {}) } : undefined;
    set({ draft: { ...entry.request }, draftChosen: true, response, problem, reopened: entry });
    save(draftKey(), withoutFile(entry.request));
  },

  async send(gatewayUrl, notServing) {
    // One request at a time, as the disabled Send button says: Ctrl+Enter waits too (or cancels first).
    if (out) return;
    const draft = get().draft;
    // Not sent: the pane says why, rather than keep an earlier answer that would pass for this request's.
    const refuse = (problem: SendProblem) => set({ problem, response: undefined, reopened: undefined });
    const urlProblem = checkUrl(draft.url, gatewayUrl, notServing);
    if (urlProblem) return refuse({ kind: draft.url.trim().startsWith('/') && !gatewayUrl ? 'gateway' : 'url', message: urlProblem });
    const badHeader = headerProblem(draft.headers);
    if (badHeader) return refuse({ kind: 'header', ...badHeader });
    // GET and HEAD carry no body; the body stays in the draft for when the method changes back.
    const withBody = sendsBody(draft);
    if (withBody && draft.bodyMode === 'json') {
      const problem = jsonProblem(draft.bodyJson);
      if (problem) return refuse({ kind: 'json', message: `The JSON body does not parse: ${problem}. Fix it, or switch the body to Text to send it as it is.` });
    }
    if (withBody && draft.bodyMode === 'file' && !draft.file) return refuse({ kind: 'url', message: 'Pick a file to send as the body, or choose another body type.' });
    const text = withBody ? bodyText(draft) : undefined;
    const body = withBody && draft.bodyMode === 'file' ? draft.file!.base64 : text !== undefined ? textToBase64(text) : undefined;
    const bodySize = withBody && draft.bodyMode === 'file' ? draft.file!.size : text !== undefined ? new TextEncoder().encode(text).length : 0;
    const entry: HistoryEntry = { id: `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, at: Date.now(), request: withoutFile(draft), status: undefined, timeMs: undefined, error: undefined };
    out = entry;
    set({ sending: { at: entry.at, bodySize }, problem: undefined, reopened: undefined });
    try {
      const response = await studio.call('http.send', { method: draft.method, url: draft.url.trim(), headers: effectiveHeaders(draft), ...(body !== undefined ? { body } : {}) });
      if (out !== entry) return;
      entry.status = response.status;
      entry.timeMs = response.timeMs;
      set({ response, sending: undefined });
    } catch (err) {
      if (out !== entry) return;
      const e = describeError(err);
      entry.error = e.message;
      entry.errorCode = e.code;
      if (e.hint) entry.errorHint = e.hint;
      set({ problem: { kind: 'api', ...e }, response: undefined, sending: undefined });
    }
    out = undefined;
    addToHistory(entry);
  },

  cancel() {
    const entry = out;
    if (!entry) return;
    out = undefined;
    const seconds = Math.round((Date.now() - entry.at) / 1000);
    const message = `You stopped waiting after ${seconds} s. The studio may still finish the request (the Traffic view lists it if it reaches the gateway); this view ignores its answer.`;
    entry.error = message;
    entry.errorCode = CANCELLED;
    set({ problem: { kind: 'api', message, code: CANCELLED }, response: undefined, sending: undefined });
    addToHistory(entry);
  },

  clearHistory() {
    set({ history: [], responses: {}, reopened: undefined });
    save(historyKey(), []);
  },
  removeHistory(id) {
    const history = get().history.filter((h) => h.id !== id);
    set({ history, responses: keptResponses(history, get().responses) });
    save(historyKey(), history);
  },
}));

/** The request out, if any: its answer counts only while it is this one (a cancel or a newer request drops it). */
let out: HistoryEntry | undefined;

/** Adds a sent request to the history, with the response shown when it is the request's own. */
function addToHistory(entry: HistoryEntry): void {
  const { getState: get, setState: set } = useHttp;
  const history = [entry, ...get().history].slice(0, HISTORY_MAX);
  const response = get().response;
  set({ history, responses: keptResponses(history, entry.error === undefined && response ? { ...get().responses, [entry.id]: response } : get().responses) });
  save(historyKey(), history);
}

/** The responses of the newest RESPONSES_KEPT entries of `history` that have one. */
function keptResponses(history: readonly HistoryEntry[], responses: Record<string, HttpResponseView>): Record<string, HttpResponseView> {
  const kept: Record<string, HttpResponseView> = {};
  let count = 0;
  for (const entry of history) {
    const response = responses[entry.id];
    if (!response) continue;
    kept[entry.id] = response;
    if (++count === RESPONSES_KEPT) break;
  }
  return kept;
}

// The server's copy arrives once per launch: at the first connection in browser mode, at once
// in Electron (whose IPC is always connected).
let hydrated = false;
function hydrateOnce(): void {
  if (hydrated) return;
  hydrated = true;
  hydrateHttpState().catch(() => {
    hydrated = false;
  });
}
// Each project has its own draft and history: switched when the studio opens another.
projectScope.follow({
  reset() {
    // The request out is the old project's: its answer is dropped (send checks `out`).
    out = undefined;
    projectPath = '';
    useHttp.setState({ draft: ROOT_REQUEST, draftChosen: false, response: undefined, problem: undefined, sending: undefined, history: [], responses: {}, reopened: undefined });
  },
  load(project: ProjectView) {
    if (project.path !== projectPath) showProject(project.path);
    // A reconnect: the server's copy, if it could not be read before.
    else hydrateOnce();
  },
});
