// Which HTTP version an HTTPS origin speaks, learnt the way browsers do: the first connection
// offers both h2 and http/1.1 in the TLS handshake (ALPN) and the server picks. An origin that
// picks h2 gets that very connection as its HTTP/2 session; one that picks http/1.1 (or does
// not answer ALPN) is remembered, and its calls go to the HTTP/1.1 pool. A handshake that fails
// is not remembered: the call fails with its error, and the next call asks again. A call that
// fails before its answer makes the origin's choice forgotten too: the server behind it may
// have changed (restarted speaking only HTTP/1.1, say), and the next call asks again.
import tls, { type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { OutboundError, timeoutFailures } from './outbound-errors.ts';
import type { Trust } from './outbound-tls.ts';
import { localhostLookup } from './localhost-lookup.ts';

export type AlpnChoice = 'h2' | 'http/1.1';

export class AlpnCache {
  private readonly known = new Map<string, AlpnChoice>();
  private readonly asking = new Map<string, Promise<AlpnChoice>>();

  constructor(private readonly trust: Trust) {}

  /** Asks the origin again next time. */
  forget(origin: string): void {
    this.known.delete(origin);
  }

  /**
   * The origin's choice. The first call to an origin connects, offering both protocols, and
   * hands an h2 connection to `adopt`; calls meanwhile wait for its answer. Rejects with the
   * connection's error.
   */
  choose(url: URL, connectMs: number, adopt: (socket: TLSSocket) => void): Promise<AlpnChoice> {
    const known = this.known.get(url.origin);
    if (known) return Promise.resolve(known);
    let asking = this.asking.get(url.origin);
    if (!asking) {
      asking = this.ask(url, connectMs, adopt).finally(() => this.asking.delete(url.origin));
      this.asking.set(url.origin, asking);
    }
    return asking;
  }

  private async ask(url: URL, connectMs: number, adopt: (socket: TLSSocket) => void): Promise<AlpnChoice> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tls.connect({
      host,
      port: Number(url.port || 443),
      ...(isIP(host) ? {} : { servername: host }),
      ALPNProtocols: ['h2', 'http/1.1'],
      lookup: localhostLookup,
      ...(this.trust.ca ? { ca: this.trust.ca } : {}),
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new OutboundError(timeoutFailures.connect(connectMs))), connectMs);
        socket.once('secureConnect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
    } catch (err) {
      socket.destroy();
      throw err;
    }
    const choice: AlpnChoice = socket.alpnProtocol === 'h2' ? 'h2' : 'http/1.1';
    this.known.set(url.origin, choice);
    if (choice === 'h2') adopt(socket);
    else socket.destroy();
    return choice;
  }
}
