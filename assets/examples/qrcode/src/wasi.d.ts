// Types for the WIT imports this component uses, as componentize-js exposes them to JS.
// Hand-written subset of what `jco guest-types wit` generates: resources are classes,
// results throw on error, options are `T | undefined`, variants are `{ tag, val }`.

declare module 'wasi:io/streams@0.2.10' {
  export type StreamError = { tag: 'last-operation-failed'; val: unknown } | { tag: 'closed' };

  export class InputStream {
    private constructor();
    /** Blocks until at least one byte is available; throws a StreamError at the end. */
    blockingRead(len: bigint): Uint8Array;
    [Symbol.dispose](): void;
  }

  export class OutputStream {
    private constructor();
    /** Writes at most 4096 bytes per call. */
    blockingWriteAndFlush(contents: Uint8Array): void;
    [Symbol.dispose](): void;
  }
}

declare module 'wasi:http/types@0.2.10' {
  import type { InputStream, OutputStream } from 'wasi:io/streams@0.2.10';

  export type Method =
    | { tag: 'get' | 'head' | 'post' | 'put' | 'delete' | 'connect' | 'options' | 'trace' | 'patch' }
    | { tag: 'other'; val: string };
  export type FieldName = string;
  export type FieldValue = Uint8Array;
  export type ErrorCode = { tag: string; val?: unknown };
  export type Result<T, E> = { tag: 'ok'; val: T } | { tag: 'err'; val: E };

  export class Fields {
    constructor();
    static fromList(entries: Array<[FieldName, FieldValue]>): Fields;
    [Symbol.dispose](): void;
  }

  export class IncomingRequest {
    private constructor();
    method(): Method;
    pathWithQuery(): string | undefined;
    consume(): IncomingBody;
    [Symbol.dispose](): void;
  }

  export class FutureTrailers {
    private constructor();
    [Symbol.dispose](): void;
  }

  export class IncomingBody {
    private constructor();
    stream(): InputStream;
    static finish(this_: IncomingBody): FutureTrailers;
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

declare module 'wasi:logging/logging@0.1.0-draft' {
  export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'critical';
  export function log(level: Level, context: string, message: string): void;
}

declare module 'wasi:keyvalue/store@0.2.0-draft' {
  export class Bucket {
    private constructor();
    get(key: string): Uint8Array | undefined;
    set(key: string, value: Uint8Array): void;
    [Symbol.dispose](): void;
  }
  export function open(identifier: string): Bucket;
}

declare module 'wasi:keyvalue/atomics@0.2.0-draft' {
  import type { Bucket } from 'wasi:keyvalue/store@0.2.0-draft';
  export function increment(bucket: Bucket, key: string, delta: bigint): bigint;
}

declare module 'wasi:blobstore/types@0.2.0-draft' {
  import type { OutputStream } from 'wasi:io/streams@0.2.10';
  export class OutgoingValue {
    private constructor();
    static newOutgoingValue(): OutgoingValue;
    outgoingValueWriteBody(): OutputStream;
    [Symbol.dispose](): void;
  }
}

declare module 'wasi:blobstore/container@0.2.0-draft' {
  import type { OutgoingValue } from 'wasi:blobstore/types@0.2.0-draft';
  export class Container {
    private constructor();
    writeData(name: string, data: OutgoingValue): void;
    [Symbol.dispose](): void;
  }
}

declare module 'wasi:blobstore/blobstore@0.2.0-draft' {
  import type { Container } from 'wasi:blobstore/container@0.2.0-draft';
  export function containerExists(name: string): boolean;
  export function createContainer(name: string): Container;
  export function getContainer(name: string): Container;
}
