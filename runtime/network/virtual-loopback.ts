// A workload's virtual loopback: its own table of bound TCP ports on 127.0.0.0/8, ::1, 0.0.0.0
// and ::, which nothing outside the workload sees. Binds reserve an address here instead of on
// the host, so two workloads can both listen on port 80; a connect to a loopback address asks
// the table which listener it reaches. The table only decides: the sockets service makes the
// connections (network/socket-service.ts).
//
// Like a kernel's, the table refuses a second bind of a port that an existing binding covers:
// the same address, or either of the two being the unspecified address of that family.
// IPv4 and IPv6 are separate tables, since WASI's IPv6 sockets are IPv6-only.
import { ok, type Result } from '../errors.ts';
import { isLoopback, isUnspecified, type SocketAddress } from './ip-address.ts';
import type { SocketErrorCode } from './socket-errors.ts';

/** Ports handed out for port 0 and for connects without a bind, as IANA suggests. */
const EPHEMERAL_FIRST = 49152;
const EPHEMERAL_LAST = 65535;

/** Whether `port` is one a bind to port 0 gets: another one each run. */
export function isEphemeralPort(port: number): boolean {
  return port >= EPHEMERAL_FIRST && port <= EPHEMERAL_LAST;
}

export interface LoopbackBinding<Owner> {
  readonly local: SocketAddress;
  readonly owner: Owner;
  /** Set while the bound socket listens. */
  listening: boolean;
}

export interface BindRefusal<Owner> {
  code: SocketErrorCode;
  /** Who holds the address, for `address-in-use`. */
  holder?: Owner;
}

export class VirtualLoopback<Owner> {
  private readonly bound = new Set<LoopbackBinding<Owner>>();
  private nextEphemeral = EPHEMERAL_FIRST;

  /** Whether the loopback has `address` at all (any port). */
  static bindable(address: SocketAddress): boolean {
    return isLoopback(address) || isUnspecified(address);
  }

  /** Reserves `local`; port 0 takes a free ephemeral port. */
  bind(local: SocketAddress, owner: Owner): Result<LoopbackBinding<Owner>, BindRefusal<Owner>> {
    if (!VirtualLoopback.bindable(local)) return { ok: false, error: { code: 'address-not-bindable' } };
    let port = local.port;
    if (port === 0) {
      const free = this.ephemeralPort(local);
      if (free === undefined) return { ok: false, error: { code: 'address-in-use' } };
      port = free;
    } else {
      const holder = this.covering({ ...local, port });
      if (holder) return { ok: false, error: { code: 'address-in-use', holder: holder.owner } };
    }
    const binding: LoopbackBinding<Owner> = { local: { ...local, port }, owner, listening: false };
    this.bound.add(binding);
    return ok(binding);
  }

  unbind(binding: LoopbackBinding<Owner>): void {
    this.bound.delete(binding);
  }

  /** The listening binding a connection to `remote` reaches, if any. */
  listenerFor(remote: SocketAddress): LoopbackBinding<Owner> | undefined {
    if (!isLoopback(remote)) return undefined;
    for (const binding of this.bound) {
      if (binding.listening && covers(binding.local, remote)) return binding;
    }
    return undefined;
  }

  bindings(): LoopbackBinding<Owner>[] {
    return [...this.bound];
  }

  private covering(local: SocketAddress): LoopbackBinding<Owner> | undefined {
    for (const binding of this.bound) {
      if (binding.local.family !== local.family || binding.local.port !== local.port) continue;
      if (isUnspecified(binding.local) || isUnspecified(local) || binding.local.address === local.address) return binding;
    }
    return undefined;
  }

  private ephemeralPort(local: SocketAddress): number | undefined {
    const span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    for (let tried = 0; tried < span; tried++) {
      const port = this.nextEphemeral;
      this.nextEphemeral = port === EPHEMERAL_LAST ? EPHEMERAL_FIRST : port + 1;
      if (!this.covering({ ...local, port })) return port;
    }
    return undefined;
  }
}

/** Whether a socket bound to `local` receives connections to `remote`. */
function covers(local: SocketAddress, remote: SocketAddress): boolean {
  return local.family === remote.family && local.port === remote.port && (isUnspecified(local) || local.address === remote.address);
}
