// Types for the WIT imports this example uses, as componentize-js exposes them to JS.
// Hand-written subset of what `jco guest-types wit` generates: resources are classes,
// results throw on error (the error is the thrown value's `payload`), options are
// `T | undefined`, variants are `{ tag, val }`, u64 is bigint.

declare module 'wasi:io/poll@0.2.12' {
  export class Pollable {
    private constructor();
    ready(): boolean;
    block(): void;
    [Symbol.dispose](): void;
  }
  /** Blocks until at least one of the pollables is ready; returns the indexes of the ready ones. */
  export function poll(pollables: Pollable[]): Uint32Array;
}

declare module 'wasi:io/streams@0.2.12' {
  import type { Pollable } from 'wasi:io/poll@0.2.12';

  export type StreamError = { tag: 'last-operation-failed'; val: unknown } | { tag: 'closed' };

  export class InputStream {
    private constructor();
    /** What is there now (maybe nothing); throws a StreamError at the end. */
    read(len: bigint): Uint8Array;
    /** Blocks until at least one byte is available; throws a StreamError at the end. */
    blockingRead(len: bigint): Uint8Array;
    subscribe(): Pollable;
    [Symbol.dispose](): void;
  }

  export class OutputStream {
    private constructor();
    /** Writes at most 4096 bytes per call. */
    blockingWriteAndFlush(contents: Uint8Array): void;
    [Symbol.dispose](): void;
  }
}

/** The HTTP body's stream (wasi:http@0.2.10 uses wasi:io@0.2.10). */
declare module 'wasi:io/streams@0.2.10' {
  export class OutputStream {
    private constructor();
    /** Writes at most 4096 bytes per call. */
    blockingWriteAndFlush(contents: Uint8Array): void;
    [Symbol.dispose](): void;
  }
}

declare module 'wasi:sockets/network@0.2.12' {
  export class Network {
    private constructor();
    [Symbol.dispose](): void;
  }
  export type ErrorCode = string;
  export type IpSocketAddress =
    | { tag: 'ipv4'; val: { port: number; address: [number, number, number, number] } }
    | { tag: 'ipv6'; val: { port: number; flowInfo: number; address: number[]; scopeId: number } };
}

declare module 'wasi:sockets/instance-network@0.2.12' {
  import type { Network } from 'wasi:sockets/network@0.2.12';
  export function instanceNetwork(): Network;
}

declare module 'wasi:sockets/tcp@0.2.12' {
  import type { Pollable } from 'wasi:io/poll@0.2.12';
  import type { InputStream, OutputStream } from 'wasi:io/streams@0.2.12';
  import type { IpSocketAddress, Network } from 'wasi:sockets/network@0.2.12';

  export class TcpSocket {
    private constructor();
    startBind(network: Network, localAddress: IpSocketAddress): void;
    finishBind(): void;
    startConnect(network: Network, remoteAddress: IpSocketAddress): void;
    finishConnect(): [InputStream, OutputStream];
    startListen(): void;
    finishListen(): void;
    accept(): [TcpSocket, InputStream, OutputStream];
    subscribe(): Pollable;
    [Symbol.dispose](): void;
  }
}

declare module 'wasi:sockets/tcp-create-socket@0.2.12' {
  import type { TcpSocket } from 'wasi:sockets/tcp@0.2.12';
  export function createTcpSocket(addressFamily: 'ipv4' | 'ipv6'): TcpSocket;
}

declare module 'wasi:http/types@0.2.10' {
  import type { OutputStream } from 'wasi:io/streams@0.2.10';

  export type Method =
    | { tag: 'get' | 'head' | 'post' | 'put' | 'delete' | 'connect' | 'options' | 'trace' | 'patch' }
    | { tag: 'other'; val: string };
  export type ErrorCode = { tag: string; val?: unknown };
  export type Result<T, E> = { tag: 'ok'; val: T } | { tag: 'err'; val: E };

  export class Fields {
    static fromList(entries: Array<[string, Uint8Array]>): Fields;
    [Symbol.dispose](): void;
  }

  export class IncomingRequest {
    private constructor();
    method(): Method;
    pathWithQuery(): string | undefined;
    [Symbol.dispose](): void;
  }

  export class OutgoingResponse {
    constructor(headers: Fields);
    setStatusCode(statusCode: number): void;
    body(): OutgoingBody;
    [Symbol.dispose](): void;
  }

  export class OutgoingBody {
    private constructor();
    write(): OutputStream;
    static finish(this_: OutgoingBody, trailers: Fields | undefined): void;
    [Symbol.dispose](): void;
  }

  export class ResponseOutparam {
    private constructor();
    static set(param: ResponseOutparam, response: Result<OutgoingResponse, ErrorCode>): void;
    [Symbol.dispose](): void;
  }
}
