// wasi:sockets error codes, and how a failure of Node's net, dgram or dns becomes one. The
// codes are the `error-code` enum of wasi:sockets/network, spelled as jco passes enum cases.

export const SOCKET_ERROR_CODES = [
  'unknown',
  'access-denied',
  'not-supported',
  'invalid-argument',
  'out-of-memory',
  'timeout',
  'concurrency-conflict',
  'not-in-progress',
  'would-block',
  'invalid-state',
  'new-socket-limit',
  'address-not-bindable',
  'address-in-use',
  'remote-unreachable',
  'connection-refused',
  'connection-reset',
  'connection-aborted',
  'datagram-too-large',
  'name-unresolvable',
  'temporary-resolver-failure',
  'permanent-resolver-failure',
] as const;

export type SocketErrorCode = (typeof SOCKET_ERROR_CODES)[number];

const BY_ERRNO: Record<string, SocketErrorCode> = {
  ECONNREFUSED: 'connection-refused',
  ECONNRESET: 'connection-reset',
  EPIPE: 'connection-reset',
  ECONNABORTED: 'connection-aborted',
  ETIMEDOUT: 'timeout',
  EADDRINUSE: 'address-in-use',
  EADDRNOTAVAIL: 'address-not-bindable',
  EACCES: 'access-denied',
  EPERM: 'access-denied',
  EHOSTUNREACH: 'remote-unreachable',
  EHOSTDOWN: 'remote-unreachable',
  ENETUNREACH: 'remote-unreachable',
  ENETDOWN: 'remote-unreachable',
  ENONET: 'remote-unreachable',
  EMSGSIZE: 'datagram-too-large',
  EINVAL: 'invalid-argument',
  EAFNOSUPPORT: 'not-supported',
  ENOMEM: 'out-of-memory',
  ENOBUFS: 'out-of-memory',
  EMFILE: 'new-socket-limit',
  ENFILE: 'new-socket-limit',
  // Name resolution (dns.lookup reports getaddrinfo's codes).
  ENOTFOUND: 'name-unresolvable',
  ENODATA: 'name-unresolvable',
  EAI_NONAME: 'name-unresolvable',
  EAI_NODATA: 'name-unresolvable',
  EAI_ADDRFAMILY: 'name-unresolvable',
  EAI_AGAIN: 'temporary-resolver-failure',
  EAI_FAIL: 'permanent-resolver-failure',
};

/** The error-code for a Node error (its `code`), `unknown` when there is no better one. */
export function socketErrorCodeOf(err: unknown): SocketErrorCode {
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && BY_ERRNO[code]) || 'unknown';
}
