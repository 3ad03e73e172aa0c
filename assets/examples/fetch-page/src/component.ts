// The outbound HTTP example: a component that fetches a web page and says what came back.
//   GET /                 -> the page: a URL field, Fetch, and what the fetch found
//   GET /fetch?url=<url>  -> JSON: the status, content type, size, title and time of fetching
//                            <url> (PAGE_URL from the environment when no url is given)
//   anything else         -> 404 "Not found\n"
// fetch() runs on wasi:http/outgoing-handler, so the studio makes the call: a stand-in in
// .wash/studio.yaml answers it offline, and each call is one line in the log (source
// `outbound`) with its status, size and time, or why it failed.
//
// It is written in the fetch-event style: fetch() is asynchronous, and the JS engine runs
// its event loop only for a fetch event. Such a component answers one request per instance,
// and the studio gives it a fresh one for each.
import { getEnvironment } from 'wasi:cli/environment@0.2.10';
import { page } from './page.js';

/** What a fetch found, as GET /fetch answers it. */
interface Found {
  url: string;
  status: number;
  contentType: string | null;
  bytes: number;
  title: string | null;
  ms: number;
}

const DEFAULT_URL = 'https://example.com/';

function pageUrl(): string {
  return getEnvironment().find(([name]) => name === 'PAGE_URL')?.[1] ?? DEFAULT_URL;
}

async function fetchPage(url: string): Promise<Found> {
  const started = Date.now();
  const res = await fetch(url, { headers: { accept: 'text/html, */*' } });
  const text = await res.text();
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim() ?? null;
  return { url, status: res.status, contentType: res.headers.get('content-type'), bytes: new TextEncoder().encode(text).length, title, ms: Date.now() - started };
}

async function handle(request: Request): Promise<Response> {
  const { pathname, searchParams } = new URL(request.url);
  if (request.method === 'GET' && pathname === '/') {
    return new Response(page(pageUrl()), { headers: { 'content-type': 'text/html; charset=utf-8' } });
  }
  if (request.method === 'GET' && pathname === '/fetch') {
    const url = searchParams.get('url') || pageUrl();
    try {
      return json(200, await fetchPage(url));
    } catch (e) {
      // fetch() says only "NetworkError"; the studio's log line says why (offline, DNS, TLS, ...).
      return json(502, { url, error: `${e instanceof Error ? e.message : String(e)}: see the studio log (source outbound) for why` });
    }
  }
  return new Response('Not found\n', { status: 404 });
}

function json(status: number, value: unknown): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
}

addEventListener('fetch', (event) => (event as FetchEvent).respondWith(handle((event as FetchEvent).request)));

/** The fetch event, which the JS engine dispatches for each incoming request. */
interface FetchEvent extends Event {
  request: Request;
  respondWith(response: Promise<Response> | Response): void;
}
