// A starting point for an HTTP component in TypeScript.
//   GET /              -> "Hello, world! You are visitor 1.\n"
//   GET /hello/<name>  -> "Hello, <name>! You are visitor 2.\n"
//   anything else      -> 404 "Not found\n"
// Visitors are counted in the keyvalue bucket `hello` (key `visitors`): the studio's
// Key-value view shows it, and it lives in .wash/data/keyvalue/ as wash keeps it.
// Save a change and the studio rebuilds and serves the new version.
import { increment } from 'wasi:keyvalue/atomics@0.2.0-draft';
import { open } from 'wasi:keyvalue/store@0.2.0-draft';

function handle(request: Request): Response {
  const { pathname } = new URL(request.url);
  const name = pathname === '/' ? 'world' : nameIn(pathname);
  if (request.method !== 'GET' || name === undefined) return new Response('Not found\n', { status: 404 });
  const visitor = increment(open('hello'), 'visitors', 1n);
  // console.log goes to the studio's log (source: the component's name).
  console.log(`greeted ${name}, visitor ${visitor}`);
  return new Response(`Hello, ${name}! You are visitor ${visitor}.\n`, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** The <name> of /hello/<name>, decoded; undefined for any other path or a malformed escape. */
function nameIn(pathname: string): string | undefined {
  const match = /^\/hello\/([^/]+)$/.exec(pathname);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
}

addEventListener('fetch', (event) => (event as FetchEvent).respondWith(handle((event as FetchEvent).request)));

/** The fetch event, which the JS engine dispatches for each incoming request. */
interface FetchEvent extends Event {
  request: Request;
  respondWith(response: Promise<Response> | Response): void;
}
