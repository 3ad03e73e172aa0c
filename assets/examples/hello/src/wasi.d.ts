// Types for the WIT imports this component uses, as componentize-js exposes them to JS:
// resources are classes, results throw on error, options are `T | undefined`.

declare module 'wasi:keyvalue/store@0.2.0-draft' {
  export class Bucket {
    private constructor();
    get(key: string): Uint8Array | undefined;
    set(key: string, value: Uint8Array): void;
    delete(key: string): void;
    exists(key: string): boolean;
    [Symbol.dispose](): void;
  }
  /** Opens a bucket by name; it is made on its first write. */
  export function open(identifier: string): Bucket;
}

declare module 'wasi:keyvalue/atomics@0.2.0-draft' {
  import type { Bucket } from 'wasi:keyvalue/store@0.2.0-draft';
  /** Adds delta to the number stored under key (0 when missing) and returns the sum. */
  export function increment(bucket: Bucket, key: string, delta: bigint): bigint;
}
