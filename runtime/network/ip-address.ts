// IP addresses as the sockets code passes them between threads: text in one canonical form
// (dotted IPv4, or eight full hex groups for IPv6) so that a port table can compare them as
// strings, plus the few classifications the virtual loopback needs. Pure functions, used on
// both sides of the host channel; nothing here touches the network.

export type IpFamily = 'ipv4' | 'ipv6';

/** An address and port as the host channel carries them. `address` is canonical text (see `canonicalIp`). */
export interface SocketAddress {
  family: IpFamily;
  address: string;
  port: number;
}

/** IPv4 as four octets, IPv6 as eight 16-bit groups. */
export type IpParts = { family: 'ipv4'; parts: number[] } | { family: 'ipv6'; parts: number[] };

export function formatIp(ip: IpParts): string {
  return ip.family === 'ipv4' ? ip.parts.join('.') : ip.parts.map((g) => g.toString(16)).join(':');
}

/** Parses dotted IPv4 or any textual IPv6 (compressed, with an embedded IPv4 tail, or a zone). */
export function parseIp(text: string): IpParts | undefined {
  const v4 = parseIpv4(text);
  if (v4) return { family: 'ipv4', parts: v4 };
  const v6 = parseIpv6(text);
  return v6 ? { family: 'ipv6', parts: v6 } : undefined;
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number);
}

function parseIpv6(text: string): number[] | undefined {
  const zone = text.indexOf('%');
  const bare = zone >= 0 ? text.slice(0, zone) : text;
  const halves = bare.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : undefined;
}

/** The canonical text of an address, or undefined when `text` is not an IP address. */
export function canonicalIp(text: string): string | undefined {
  const ip = parseIp(text);
  return ip && formatIp(ip);
}

/** `::1`, `127.0.0.1`, `[::1]:80`: how people write addresses, for log lines and errors. */
export function displayAddress(address: SocketAddress): string {
  return address.family === 'ipv4' ? `${address.address}:${address.port}` : `[${compressIpv6(address.address)}]:${address.port}`;
}

/** The shortest text of an IPv6 address (the longest run of zero groups becomes `::`). */
export function compressIpv6(text: string): string {
  const ip = parseIp(text);
  if (!ip || ip.family !== 'ipv6') return text;
  const groups = ip.parts.map((g) => g.toString(16));
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && ip.parts[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.length).join(':')}`;
}

export const IPV4_LOOPBACK = '127.0.0.1';
export const IPV6_LOOPBACK = '0:0:0:0:0:0:0:1';

/** 127.0.0.0/8 or ::1: where the virtual loopback answers. */
export function isLoopback(address: SocketAddress): boolean {
  return address.family === 'ipv4' ? address.address.startsWith('127.') : address.address === IPV6_LOOPBACK;
}

/** 0.0.0.0 or `::`: "any address" in a bind, invalid as a destination. */
export function isUnspecified(address: SocketAddress): boolean {
  return address.family === 'ipv4' ? address.address === '0.0.0.0' : address.address === '0:0:0:0:0:0:0:0';
}

/** ::ffff:a.b.c.d: WASI refuses these on IPv6 sockets. */
export function isIpv4Mapped(address: SocketAddress): boolean {
  return address.family === 'ipv6' && address.address.startsWith('0:0:0:0:0:ffff:');
}

/** Multicast, or the IPv4 broadcast address: never a TCP endpoint. */
export function isMulticastOrBroadcast(address: SocketAddress): boolean {
  if (address.family === 'ipv4') {
    const first = Number(address.address.split('.')[0]);
    return (first >= 224 && first <= 239) || address.address === '255.255.255.255';
  }
  return parseInt(address.address.split(':')[0]!, 16) >= 0xff00;
}
