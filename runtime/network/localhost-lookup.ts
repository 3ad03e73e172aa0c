// Name lookup for outbound connections: `localhost` and every name under `.localhost` are
// the loopback (RFC 6761), whatever the system resolver says. The studio routes
// `<component>.localhost` to a workload's components and offline mode lets loopback through,
// so such a name must never resolve elsewhere, and must resolve where the system would not.
import { lookup as systemLookup, type LookupAddress, type LookupOptions } from 'node:dns';

type Callback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** A `lookup` for net, tls, http2 and undici's connect options. */
export function localhostLookup(hostname: string, options: LookupOptions, callback: Callback): void {
  if (!isLocalhostName(hostname)) {
    systemLookup(hostname, options, callback as (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family: number) => void);
    return;
  }
  const v6 = options.family === 6 || options.family === 'IPv6';
  const address = v6 ? '::1' : '127.0.0.1';
  const family = v6 ? 6 : 4;
  if (options.all) callback(null, [{ address, family }]);
  else callback(null, address, family);
}
