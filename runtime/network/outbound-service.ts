// The main thread's outbound HTTP service: answers the calls components make through
// wasi:http/outgoing-handler (host/outgoing-http.ts), one host service per version, made from
// `outbound` in .wash/studio.yaml and reconfigured in place when that changes.
//
// Each call goes, in this order, to the first stand-in that matches it (an inline body, a
// file, or a forward to another URL), is refused in offline mode unless it is for loopback,
// or goes to the network: HTTP/2 for gRPC (content-type application/grpc*) and for HTTPS
// origins that choose h2, HTTP/1.1 otherwise. Bodies stream both ways in windows (see
// outbound-protocol.ts), so no body piles up here. Every call ends in one log record under
// the source `outbound`, with what it was, how it ended, and which component and incoming
// request made it.
//
// Must not: throw at a component thread (failures are error-code events), or keep anything of
// a thread that went away (release closes its calls).
import type { TLSSocket } from 'node:tls';
import { ok, type Result } from '../errors.ts';
import type { ChannelRequest } from '../host/host-channel.ts';
import type { LogBus, LogLevel, OutboundCallRecord } from '../logs/log-bus.ts';
import type { HostService, ThreadLink } from '../workloads/host-services.ts';
import { WakeWord } from '../workloads/worker-protocol.ts';
import { ByteRing, RingWaiter, wake } from './byte-ring.ts';
import { AlpnCache } from './outbound-alpn.ts';
import { describeCode, failureOf, OutboundError } from './outbound-errors.ts';
import { Http1Transport } from './outbound-http1.ts';
import { Http2Transport } from './outbound-http2.ts';
import { contentLength, ringBytesFor, type OutboundEvent, type OutboundHead, type OutboundRequest } from './outbound-protocol.ts';
import { trustFrom, type Trust } from './outbound-tls.ts';
import { RequestBody, type OutboundFailure, type Protocol, type ResponseListener, type Timeouts, type Transport, type TransportCall, type TransportRequest } from './outbound-transport.ts';
import { answerFrom, findStandIn, forwardedUrl, isLoopback, standInsFrom, type StandIn, type StandInRule } from './stand-ins.ts';
import { formatDuration } from '../logs/duration.ts';

/** request-options timeouts a component leaves unset: undici's (and Node's fetch's) defaults. */
export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, firstByteMs: 300_000, betweenBytesMs: 300_000 };

/** The log source of outbound calls. */
export const OUTBOUND_SOURCE = 'outbound';

/** `outbound` in .wash/studio.yaml. */
export interface OutboundSettings {
  offline?: boolean;
  ca_files?: string[];
  stand_ins?: StandInRule[];
}

/** The settings, read: CA files loaded, stand-ins checked. */
export interface OutboundConfig {
  offline: boolean;
  trust: Trust;
  standIns: StandIn[];
}

/** Reads `outbound` (paths relative to `base`); an error names the key and the path. */
export function outboundConfigFrom(settings: OutboundSettings | undefined, base: string): Result<OutboundConfig> {
  const trust = trustFrom(settings?.ca_files, base);
  if (!trust.ok) return trust;
  const standIns = standInsFrom(settings?.stand_ins, base);
  if (!standIns.ok) return standIns;
  return ok({ offline: settings?.offline === true, trust: trust.value, standIns: standIns.value });
}

/** A response body up to this size that has ended when its head goes out goes along with it. */
const WHOLE_BODY_BYTES = 64 * 1024;

/** Methods whose requests have no body as a rule. */
const BODYLESS_METHODS = new Set(['GET', 'HEAD']);

/** Fields that belong to one connection: the transports make their own. */
const CONNECTION_FIELDS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'http2-settings', 'expect']);

function isGrpc(headers: readonly [string, string][]): boolean {
  return headers.some(([name, value]) => name.toLowerCase() === 'content-type' && value.toLowerCase().startsWith('application/grpc'));
}

/** The component's fields as a transport may send them. HTTP/2 takes `te` only as `trailers`, which gRPC wants. */
function sendable(headers: readonly [string, string][], http2: boolean, grpc: boolean): [string, string][] {
  const out = headers.filter(([name, value]) => {
    const lower = name.toLowerCase();
    if (CONNECTION_FIELDS.has(lower)) return false;
    if (lower === 'te') return http2 && value.trim().toLowerCase() === 'trailers';
    return true;
  });
  if (grpc && !out.some(([name]) => name.toLowerCase() === 'te')) out.push(['te', 'trailers']);
  return out;
}

interface Transports {
  trust: Trust;
  http1: Http1Transport;
  http2: Http2Transport;
  alpn: AlpnCache;
}

function transportsFor(trust: Trust): Transports {
  return { trust, http1: new Http1Transport(trust), http2: new Http2Transport(trust), alpn: new AlpnCache(trust) };
}

function sameTrust(a: Trust, b: Trust): boolean {
  return a.files.length === b.files.length && a.files.every((file, i) => file === b.files[i]) && a.ca?.length === b.ca?.length;
}

export class OutboundHttp implements HostService {
  private current: OutboundConfig;
  private transports: Transports;
  private readonly calls = new Map<ThreadLink, Map<number, OutboundCall>>();

  constructor(
    config: OutboundConfig,
    private readonly logs: LogBus,
  ) {
    this.current = config;
    this.transports = transportsFor(config.trust);
  }

  get config(): OutboundConfig {
    return this.current;
  }

  /** Takes new settings at once: calls from now on follow them, calls in flight finish as they began. */
  configure(config: OutboundConfig): void {
    this.current = config;
    if (sameTrust(config.trust, this.transports.trust)) return;
    const old = this.transports;
    this.transports = transportsFor(config.trust);
    // Closing waits for their calls in flight.
    void Promise.all([old.http1.close(), old.http2.close()]);
  }

  handle(request: ChannelRequest, thread: ThreadLink): void {
    const ask = request as OutboundRequest;
    let calls = this.calls.get(thread);
    if (ask.type === 'start') {
      if (!calls) this.calls.set(thread, (calls = new Map<number, OutboundCall>()));
      if (calls.has(ask.id)) return;
      const call = new OutboundCall(ask.id, thread, ask.head, this);
      calls.set(ask.id, call);
      call.start();
      return;
    }
    calls?.get(ask.id)?.on(ask);
  }

  release(thread: ThreadLink): void {
    const calls = this.calls.get(thread);
    this.calls.delete(thread);
    for (const call of calls?.values() ?? []) call.stop('its thread ended');
  }

  /** Stops every call and closes every connection. */
  async close(): Promise<void> {
    for (const thread of [...this.calls.keys()]) this.release(thread);
    await Promise.all([this.transports.http1.close(), this.transports.http2.close()]);
  }

  /** @internal */ forget(call: OutboundCall): void {
    const calls = this.calls.get(call.thread);
    calls?.delete(call.id);
    if (calls?.size === 0) this.calls.delete(call.thread);
  }

  /** @internal */ log(level: LogLevel, text: string, http: OutboundCallRecord): void {
    // `request`: the traffic view shows the call with the incoming request it was made for.
    const record = { level, source: OUTBOUND_SOURCE, text, http, ...(http.cause ? { request: http.cause.id } : {}) };
    // After this turn's messages: the lines the component wrote before the call left its
    // thread just ahead of it (see HostChannel's beforeSend), on another port, whose messages
    // may be handled after this one's (a stand-in or a refused connection ends the call in
    // the same turn).
    setImmediate(() => this.logs.append(record));
  }

  /** @internal A call to `origin` failed before its answer: its protocol is learnt again. */
  forgetProtocol(origin: string): void {
    this.transports.alpn.forget(origin);
  }

  /** @internal Which transport carries `request`: HTTP/2 for gRPC and for HTTPS origins that choose it. */
  async route(request: TransportRequest, grpc: boolean): Promise<{ transport: Transport; protocol: Protocol }> {
    const { http1, http2, alpn } = this.transports;
    if (grpc) return { transport: http2, protocol: 'HTTP/2' };
    if (request.url.protocol !== 'https:') return { transport: http1, protocol: 'HTTP/1.1' };
    const choice = await alpn.choose(request.url, request.timeouts.connectMs, (socket: TLSSocket) => http2.adopt(request.url.origin, socket));
    return choice === 'h2' ? { transport: http2, protocol: 'HTTP/2' } : { transport: http1, protocol: 'HTTP/1.1' };
  }
}

/** One call on the main thread: from the component thread's start to the response's end. */
class OutboundCall implements ResponseListener {
  private readonly body: RequestBody | undefined;
  private transport: TransportCall | undefined;
  private readonly timeouts: Timeouts;
  /** The response body's ring, made with the head. */
  private ring: ByteRing | undefined;
  /** Response bytes the ring had no room for yet; past a ring's worth, the transport pauses. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The HTTPS origin whose protocol (h2 or http/1.1, by ALPN) routed this call. */
  private learntFrom: string | undefined;
  private paused = false;
  private waking: NodeJS.Immediate | undefined;
  /** The response head, held until the end of the turn (see head()). */
  private heading: { status: number; headers: [string, string][] } | undefined;
  private heldHead: NodeJS.Immediate | undefined;
  /** The end, held back until every pending byte is in the ring. */
  private ending: { trailers: [string, string][] | undefined } | undefined;
  private over = false;
  private readonly started = performance.now();
  private readonly record: OutboundCallRecord;

  constructor(
    readonly id: number,
    readonly thread: ThreadLink,
    private readonly spec: OutboundHead,
    private readonly owner: OutboundHttp,
  ) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...spec.timeouts };
    this.body = spec.body ? new RequestBody(new ByteRing(spec.body), () => this.wakeThread()) : undefined;
    this.record = { method: spec.method, url: spec.url, durationMs: 0, requestBytes: 0, responseBytes: 0, component: spec.component, ...(spec.cause ? { cause: spec.cause } : {}) };
  }

  private send(event: OutboundEvent, transfer?: ArrayBuffer[]): void {
    this.thread.send(event, transfer);
  }

  start(): void {
    const url = new URL(this.spec.url);
    const config = this.owner.config;
    const standIn = findStandIn(config.standIns, this.spec.method, url);
    if (standIn) this.record.standIn = standIn.match;
    if (standIn && standIn.answer.kind !== 'forward') {
      this.discardBody();
      this.transport = answerFrom(standIn, this);
      return;
    }
    let target = url;
    if (standIn?.answer.kind === 'forward') {
      target = forwardedUrl(standIn.answer.target, url);
      this.record.forwardedTo = target.href;
    } else if (config.offline && !isLoopback(url)) {
      this.fail({
        code: { tag: 'HTTP-request-denied' },
        cause: 'offline mode (outbound.offline in .wash/studio.yaml) lets through only loopback calls and stand-ins, and no stand-in matches it. Add one under outbound.stand_ins, or set outbound.offline: false',
      });
      return;
    }
    const grpc = isGrpc(this.spec.headers);
    void this.sendTo(target, grpc);
  }

  private async sendTo(target: URL, grpc: boolean): Promise<void> {
    let body = this.body;
    // A GET or HEAD whose component took the body but writes nothing goes without one
    // (a chunked empty body puts some servers off); its first write or finish says which.
    if (body && BODYLESS_METHODS.has(this.spec.method)) {
      await body.started;
      if (body.empty) body = undefined;
    }
    if (this.over) return;
    const request = (http2: boolean): TransportRequest => ({ method: this.spec.method, url: target, headers: sendable(this.spec.headers, http2, grpc), body, timeouts: this.timeouts });
    let route: { transport: Transport; protocol: Protocol };
    try {
      route = await this.owner.route(request(grpc), grpc);
    } catch (err) {
      this.fail(failureOf(err, 'request', target, this.timeouts));
      return;
    }
    if (this.over) return;
    this.record.protocol = route.protocol;
    if (target.protocol === 'https:' && !grpc) this.learntFrom = target.origin;
    this.transport = route.transport.send(request(route.protocol === 'HTTP/2'), this);
    if (this.paused) this.transport.pause();
  }

  /** What the component thread says about the call after its start. */
  on(ask: OutboundRequest): void {
    switch (ask.type) {
      case 'finish':
        this.body?.end(ask.trailers);
        return;
      case 'abandon':
        this.body?.fail(new OutboundError({ code: { tag: 'internal-error', val: 'the request body was dropped without outgoing-body.finish' }, cause: 'the component dropped the request body without finishing it (outgoing-body.finish)' }));
        return;
      case 'ring':
        // The component thread wrote request bytes, or read response bytes, and this side waited.
        this.body?.poke();
        this.fill();
        return;
      case 'drop':
        this.stop(`${this.spec.component} dropped it before the response ended`);
        return;
      case 'start':
        return;
    }
  }

  /** A stand-in answers without reading the body: it is taken as it comes, so the component's writes never wait. */
  private discardBody(): void {
    const body = this.body;
    if (!body) return;
    void (async () => {
      for await (const chunk of body) void chunk;
    })().catch(() => {});
  }

  /** Wakes the component thread if it waits in a host call. */
  private wakeThread(): void {
    wake(this.thread.wake, WakeWord.counter);
  }

  // ---- ResponseListener: what the transport (or stand-in) reports ----

  // The protocol is the route's (set in sendTo); a stand-in's answer has none.
  /**
   * The head waits for the end of this turn of the event loop: a small response usually ends
   * in the same turn, and then goes to the thread whole, in one message with no ring (most
   * calls are small; a ring and a message each per call is what they would cost).
   */
  head(status: number, headers: [string, string][]): void {
    if (this.over) return;
    this.record.status = status;
    this.heading = { status, headers };
    this.heldHead = setImmediate(() => this.sendHead());
  }

  private sendHead(): void {
    const head = this.heading;
    clearImmediate(this.heldHead);
    this.heading = undefined;
    if (!head || this.over) return;
    if (this.ending) {
      const body = new Uint8Array(this.pendingBytes);
      let at = 0;
      for (const chunk of this.pending) {
        body.set(chunk, at);
        at += chunk.length;
      }
      this.pending = [];
      this.pendingBytes = 0;
      const { trailers } = this.ending;
      this.send({ to: this.id, type: 'head', ...head, whole: { body, ...(trailers ? { trailers } : {}) } });
      this.finish('info', this.describe());
      return;
    }
    const { status, headers } = head;
    this.ring = ByteRing.create(ringBytesFor(status === 204 || status === 304 || this.spec.method === 'HEAD' ? 0 : contentLength(headers)));
    this.send({ to: this.id, type: 'head', status, headers, body: this.ring.buffer });
    this.fill();
  }

  data(chunk: Buffer): void {
    if (this.over) return;
    this.record.responseBytes += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // More than a small body: the ring it needs goes out now.
    if (this.heading && this.pendingBytes > WHOLE_BODY_BYTES) this.sendHead();
    else this.fill();
  }

  /**
   * Moves what waits into the ring, waking the component thread if it waits for bytes. What
   * does not fit pauses the transport until the thread makes room (and says so with `ring`).
   */
  private fill(): void {
    const ring = this.ring;
    if (!ring || this.over) return;
    let wrote = false;
    for (;;) {
      while (this.pending.length > 0) {
        const first = this.pending[0]!;
        const written = ring.write(first);
        this.pendingBytes -= written;
        if (written > 0) wrote = true;
        if (written < first.length) {
          this.pending[0] = first.subarray(written);
          break;
        }
        this.pending.shift();
      }
      if (this.pending.length === 0) break;
      // Full: say this side waits, then look once more, since a read in between is seen either way.
      ring.willWait(RingWaiter.writer);
      if (ring.free() === 0) break;
    }
    // The thread is woken once per turn of this loop, after every socket read of the turn is
    // in the ring: waking it per chunk costs more than the copy.
    if (wrote) this.waking ??= setImmediate(() => {
      this.waking = undefined;
      if (ring.takeWaiter(RingWaiter.reader)) this.wakeThread();
    });
    // A second ring's worth waits here while the thread reads, so the socket keeps flowing.
    if (this.pendingBytes > ring.capacity && !this.paused) {
      this.paused = true;
      this.transport?.pause();
    }
    if (this.pending.length > 0) return;
    if (this.paused) {
      this.paused = false;
      this.transport?.resume();
    }
    if (this.ending) this.sendEnd(this.ending.trailers);
  }

  end(trailers: [string, string][] | undefined): void {
    if (this.over) return;
    this.ending = { trailers };
    if (this.heading) this.sendHead();
    else this.fill();
  }

  private sendEnd(trailers: [string, string][] | undefined): void {
    this.send(trailers ? { to: this.id, type: 'end', trailers } : { to: this.id, type: 'end' });
    this.finish('info', this.describe());
  }

  fail(failure: OutboundFailure): void {
    if (this.over) return;
    if (this.learntFrom && this.record.status === undefined) this.owner.forgetProtocol(this.learntFrom);
    // A head held back goes first, with what came of the body: the failure is the body's.
    if (this.heading) this.sendHead();
    const message = `${this.spec.method} ${this.spec.url}: ${failure.cause}`;
    this.send({ to: this.id, type: 'failed', code: failure.code, message });
    this.record.error = describeCode(failure.code);
    this.body?.fail(new OutboundError(failure));
    this.finish('warn', `${this.spec.method} ${this.spec.url} failed with ${this.record.error}: ${failure.cause}${this.madeFor()}`);
  }

  /** Ends the call from this side: the component let go of it, or its thread went away. */
  stop(why: string): void {
    if (this.over) return;
    this.transport?.abort();
    this.body?.fail(new OutboundError({ code: { tag: 'internal-error', val: 'stopped' }, cause: why }));
    this.record.dropped = true;
    this.finish('info', `${this.spec.method} ${this.spec.url}${this.record.status !== undefined ? ` → ${this.record.status}` : ''}: ${why}${this.madeFor()}`);
  }

  private finish(level: LogLevel, text: string): void {
    this.over = true;
    clearImmediate(this.heldHead);
    this.pending = [];
    this.pendingBytes = 0;
    this.record.durationMs = Math.round((performance.now() - this.started) * 10) / 10;
    this.record.requestBytes = this.body?.sent ?? 0;
    this.owner.forget(this);
    this.owner.log(level, text, this.record);
  }

  /** The terminal line of a call that answered: `GET https://x/ → 200 in 12 ms, 1.2 KiB (stand-in "…") for GET /page`. */
  private describe(): string {
    const { record } = this;
    const via = record.standIn ? ` (stand-in "${record.standIn}"${record.forwardedTo ? ` → ${record.forwardedTo}` : ''})` : '';
    // undici writes no trailers after a request body: say so rather than drop them unseen.
    const unsent = record.protocol === 'HTTP/1.1' && this.body?.trailers?.length ? '; its request trailers were not sent (only HTTP/2 calls carry them)' : '';
    return `${record.method} ${record.url} → ${record.status} in ${formatDuration(performance.now() - this.started)}, ${formatBytes(record.responseBytes)}${via}${this.madeFor()}${unsent}`;
  }

  private madeFor(): string {
    const cause = this.spec.cause;
    return cause ? ` for ${cause.method} ${cause.path}` : '';
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
