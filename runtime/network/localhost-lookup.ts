// Name lookup for outbound connections: every name under `.localhost` is the loopback (RFC
// 6761), whatever the system resolver says. The studio routes `<component>.localhost` to a
// workload's components and offline mode lets loopback through, so such a name must never
// resolve elsewhere, and must resolve where the system would not. Plain `localhost` is left to
// the system, which knows which of 127.0.0.1 and ::1 its servers listen on.
import { lookup as systemLookup, type LookupAddress, type LookupOptions } from 'node:dns';

type Callback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** A `lookup` for net, tls, http2 and undici's connect options. */
export function localhostLookup(hostname: string, options: LookupOptions, callback: Callback): void {
  if (!isLocalhostName(hostname) || hostname.toLowerCase().replace(/\.$/, '') === 'localhost') {
    systemLookup(hostname, options, callback as (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family: number) => void);
    return;
  }
  // IPv4 first: the studio's gateway listens on 127.0.0.1 unless told otherwise.
  const addresses = [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ].filter(({ family }) => !options.family || options.family === family || options.family === `IPv${family}`);
  if (options.all) callback(null, addresses);
  else callback(null, addresses[0]!.address, addresses[0]!.family);
}
