// HTTP/1.1 (and HTTPS) for outbound calls, through undici: one connection pool per origin,
// kept alive between calls, with undici's first-byte (headers) and between-bytes (body)
// timeouts. The request body streams from the component as the connection takes it; the
// response body is paused and resumed at the service's word. undici connects with the
// connect timeout of its agent, so there is one agent per connect timeout in use (almost
// always one). Trailers come back from chunked responses; undici sends none with requests.
import type { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import type { Agent, Dispatcher } from 'undici';
import { failureOf, OutboundError } from './outbound-errors.ts';
import type { Trust } from './outbound-tls.ts';
import { headerPairs, type ResponseListener, type Transport, type TransportCall, type TransportRequest } from './outbound-transport.ts';
import { localhostLookup } from './localhost-lookup.ts';

/** How long an idle kept-alive connection stays open. */
const KEEP_ALIVE_MS = 4000;

export class Http1Transport implements Transport {
  private readonly agents = new Map<number, Agent>();

  constructor(private readonly trust: Trust) {}

  private agentFor(connectMs: number): Agent {
    let agent = this.agents.get(connectMs);
    if (!agent) {
      // Loaded at the first outbound call rather than at start: undici takes a tenth of the
      // CLI's start-up to load, and most components never call out.
      const { Agent } = createRequire(import.meta.url)('undici') as typeof import('undici');
      agent = new Agent({ connect: { timeout: connectMs, lookup: localhostLookup, ...(this.trust.ca ? { ca: this.trust.ca } : {}) }, keepAliveTimeout: KEEP_ALIVE_MS, allowH2: false });
      this.agents.set(connectMs, agent);
    }
    return agent;
  }

  send(request: TransportRequest, listener: ResponseListener): TransportCall {
    const { url, timeouts } = request;
    let controller: Dispatcher.DispatchController | undefined;
    let paused = false;
    let aborted = false;
    let headed = false;
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (aborted) started.abort(new OutboundError({ code: { tag: 'internal-error', val: 'dropped' }, cause: 'dropped' }));
        else if (paused) started.pause();
      },
      onResponseStart(_controller, status, headers) {
        // Informational answers (100 Continue, 103 Early Hints) are not the response.
        if (status < 200 || aborted) return;
        headed = true;
        listener.head(status, headerPairs(headers), 'HTTP/1.1');
      },
      onResponseData(_controller, chunk) {
        if (!aborted) listener.data(chunk);
      },
      onResponseEnd(_controller, trailers) {
        if (aborted) return;
        const pairs = headerPairs(trailers ?? {});
        listener.end(pairs.length > 0 ? pairs : undefined);
      },
      onResponseError(_controller, error) {
        if (!aborted) listener.fail(failureOf(error, headed ? 'body' : 'request', url, timeouts));
      },
    };
    try {
      this.agentFor(timeouts.connectMs).dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: request.method as Dispatcher.HttpMethod,
          headers: request.headers.flat(),
          // undici streams async iterables (writing each chunk before it asks for the next), though its types list only streams.
          body: (request.body ?? null) as unknown as Readable | null,
          headersTimeout: timeouts.firstByteMs,
          bodyTimeout: timeouts.betweenBytesMs,
        },
        handler,
      );
    } catch (err) {
      queueMicrotask(() => listener.fail(failureOf(err, 'request', url, timeouts)));
    }
    return {
      pause: () => {
        paused = true;
        if (controller && !controller.paused) controller.pause();
      },
      resume: () => {
        paused = false;
        if (controller?.paused) controller.resume();
      },
      abort: () => {
        aborted = true;
        controller?.abort(new OutboundError({ code: { tag: 'internal-error', val: 'dropped' }, cause: 'dropped' }));
      },
    };
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }
}
