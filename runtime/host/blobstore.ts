// wasi:blobstore@0.2.0-draft for components, on the studio's file-backed BlobStore:
// containers, objects written through an outgoing-value's output stream and read through an
// incoming-value, object listings as a stream of names, copy and move. Errors are strings, as
// the WIT says, worded for people.
//
// Clients write an outgoing-value in two orders: stream first, then write-data (the object is
// complete when write-data is called), or write-data first, then the stream (the object is
// complete when the stream is dropped, or the value finished or dropped). The object is
// committed at whichever of those comes last, never half-written. A value named by write-data
// whose stream is still open when the request ends (its engine never dropped it: JS engines
// drop resources when they collect them) is committed then, with a warning; one never named
// is thrown away.
//
// Neither direction holds an object in memory: bytes written go straight to a staged temp
// file (committed under the object's name when that is known), and incoming-values read the
// object's file in pieces, from a descriptor opened when get-data was called (so a later
// write does not change what is read).
import { StoreError } from '../stores/store-error.ts';
import type { BlobStore, FileRangeReader, StagedUpload } from '../stores/blob-store.ts';
import { InputStream, OutputStream, disposeSymbol, type ByteSink, type ByteSource } from './io.ts';
import { storeGuard } from './store-guard.ts';
import type { HostState } from './host-state.ts';

type ObjectId = { container: string; object: string };

function describeError(err: unknown): string {
  if (err instanceof StoreError) return err.hint ? `${err.message} (${err.hint})` : err.message;
  return err instanceof Error ? err.message : String(err);
}

/** Reads a blob's file in pieces; the descriptor closes at the end or when the stream is dropped. */
function readerSource(reader: FileRangeReader): ByteSource {
  return {
    ready: () => true,
    read(max) {
      try {
        const chunk = reader.read(max);
        if (chunk) return chunk;
        reader.close();
        return 'closed';
      } catch (err) {
        reader.close();
        return { error: err instanceof Error ? err.message : String(err) };
      }
    },
    close: () => reader.close(),
  };
}

/** `report` hears every error before the component does (see storeTroubleReporter). */
export function blobstoreImports(store: BlobStore | undefined, report: (err: unknown) => void, state: Pick<HostState, 'log' | 'atRequestEnd'>) {
  const guarded = storeGuard(report, describeError);
  /** Values with bytes or a name, not yet committed or thrown away. */
  const pending = new Set<OutgoingValue>();
  state.atRequestEnd(() => {
    for (const value of [...pending]) value.endOfRequest();
  });
  const need = (): BlobStore => {
    if (!store) throw 'this workload has no blobstore configured';
    return store;
  };

  class OutgoingValue implements ByteSink {
    private upload: StagedUpload | undefined;
    private streaming = false;
    /** A body stream was handed out (and so will be closed), or the value was finished. */
    private bodyStarted = false;
    private target: ObjectId | undefined;
    private done = false;

    static newOutgoingValue(): OutgoingValue {
      return new OutgoingValue();
    }

    outgoingValueWriteBody(): OutputStream {
      if (this.streaming || this.done) throw undefined;
      this.streaming = true;
      this.bodyStarted = true;
      return new OutputStream(this);
    }

    static finish(value: OutgoingValue): void {
      value.streaming = false;
      value.bodyStarted = true;
      value.commitIfReady();
    }

    /** Dropped by the component: the value is complete (wash commits on drop too), or abandoned if never named. */
    [disposeSymbol](): void {
      OutgoingValue.finish(this);
      if (!this.target) this.discard();
    }

    /** @internal ByteSink */
    write(bytes: Uint8Array): void | 'closed' | { error: string } {
      if (this.done) return 'closed';
      pending.add(this);
      try {
        this.upload ??= need().openUpload();
        this.upload.write(bytes);
      } catch (err) {
        this.discard();
        report(err);
        return { error: describeError(err) };
      }
    }

    /** @internal The stream was dropped: the bytes are complete. */
    close(): void {
      this.streaming = false;
      this.commitIfReady();
    }

    /** @internal */
    writeTo(target: ObjectId): void {
      if (this.done) throw 'this outgoing-value was already written to an object, or its upload failed';
      this.target = target;
      pending.add(this);
      this.commitIfReady();
    }

    /** @internal The request ended with this value neither committed nor dropped. */
    endOfRequest(): void {
      if (this.done) return;
      if (!this.target) {
        this.discard();
        return;
      }
      state.log('warn', `wasi:blobstore: the object ${JSON.stringify(this.target.object)} in ${JSON.stringify(this.target.container)} was written with write-data, but its body stream was still open when the request ended; it was saved with the bytes written so far. Drop the stream (or call outgoing-value.finish) after writing, so the object is complete when write-data is called.`);
      this.streaming = false;
      this.bodyStarted = true;
      try {
        this.commitIfReady();
      } catch (err) {
        report(err);
      }
    }

    private commitIfReady(): void {
      if (this.streaming || !this.bodyStarted || !this.target || this.done) return;
      this.done = true;
      pending.delete(this);
      const upload = this.upload ?? need().openUpload();
      this.upload = undefined;
      upload.commit(this.target.container, this.target.object);
    }

    private discard(): void {
      this.done = true;
      pending.delete(this);
      this.upload?.abort();
      this.upload = undefined;
    }
  }

  class IncomingValue {
    private reader: FileRangeReader | undefined;
    constructor(reader: FileRangeReader) {
      this.reader = reader;
    }
    static incomingValueConsumeSync(value: IncomingValue): Uint8Array {
      const reader = value.take();
      try {
        const bytes = new Uint8Array(reader.size);
        let at = 0;
        for (let chunk = reader.read(reader.size); chunk && at < bytes.length; chunk = reader.read(bytes.length - at)) {
          bytes.set(chunk, at);
          at += chunk.length;
        }
        return at === bytes.length ? bytes : bytes.subarray(0, at);
      } finally {
        reader.close();
      }
    }
    static incomingValueConsumeAsync(value: IncomingValue): InputStream {
      return new InputStream(readerSource(value.take()));
    }
    size(): bigint {
      if (!this.reader) throw 'this incoming-value was already consumed';
      return BigInt(this.reader.size);
    }
    [disposeSymbol](): void {
      this.reader?.close();
    }
    private take(): FileRangeReader {
      const reader = this.reader;
      if (!reader) throw 'this incoming-value was already consumed';
      this.reader = undefined;
      return reader;
    }
  }

  class StreamObjectNames {
    private at = 0;
    constructor(private readonly names: string[]) {}
    readStreamObjectNames(len: bigint): [string[], boolean] {
      const names = this.names.slice(this.at, this.at + Number(len));
      this.at += names.length;
      return [names, this.at >= this.names.length];
    }
    skipStreamObjectNames(num: bigint): [bigint, boolean] {
      const skipped = Math.min(Number(num), this.names.length - this.at);
      this.at += skipped;
      return [BigInt(skipped), this.at >= this.names.length];
    }
  }

  class Container {
    constructor(private readonly containerName: string) {}
    name(): string {
      return this.containerName;
    }
    info(): { name: string; createdAt: bigint } {
      return guarded(() => {
        const info = need().containerInfo(this.containerName);
        return { name: info.name, createdAt: BigInt(Math.floor(info.createdAt / 1000)) };
      });
    }
    getData(name: string, start: bigint, end: bigint): IncomingValue {
      // Clients pass u64::MAX as `end` for "to the end of the object".
      const last = end >= BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(end);
      return guarded(() => new IncomingValue(need().openRead(this.containerName, name, { start: Number(start), ...(last === undefined ? {} : { end: last }) })));
    }
    writeData(name: string, data: OutgoingValue): void {
      guarded(() => data.writeTo({ container: this.containerName, object: name }));
    }
    listObjects(): StreamObjectNames {
      return guarded(() => {
        const names: string[] = [];
        let cursor: string | undefined;
        do {
          const page = need().list(this.containerName, { limit: 1000, ...(cursor ? { cursor } : {}) });
          for (const object of page.objects) names.push(object.name);
          cursor = page.cursor;
        } while (cursor);
        return new StreamObjectNames(names);
      });
    }
    deleteObject(name: string): void {
      guarded(() => need().delete(this.containerName, [name]));
    }
    deleteObjects(names: string[]): void {
      guarded(() => need().delete(this.containerName, names));
    }
    hasObject(name: string): boolean {
      return guarded(() => need().has(this.containerName, name));
    }
    objectInfo(name: string): { name: string; container: string; createdAt: bigint; size: bigint } {
      return guarded(() => {
        const info = need().info(this.containerName, name);
        return { name: info.name, container: this.containerName, createdAt: BigInt(Math.floor(info.modified / 1000)), size: BigInt(info.size) };
      });
    }
    clear(): void {
      guarded(() => need().clear(this.containerName));
    }
  }

  return {
    'wasi:blobstore/types': { OutgoingValue, IncomingValue },
    'wasi:blobstore/container': { Container, StreamObjectNames },
    'wasi:blobstore/blobstore': {
      createContainer: (name: string) => guarded(() => (need().createContainer(name), new Container(name))),
      getContainer: (name: string) =>
        guarded(() => {
          if (!need().containerExists(name)) throw `there is no container ${JSON.stringify(name)}; create it first (create-container)`;
          return new Container(name);
        }),
      deleteContainer: (name: string) => guarded(() => need().deleteContainer(name)),
      containerExists: (name: string) => guarded(() => need().containerExists(name)),
      copyObject: (src: ObjectId, dest: ObjectId) => guarded(() => need().copy({ container: src.container, name: src.object }, { container: dest.container, name: dest.object })),
      moveObject: (src: ObjectId, dest: ObjectId) => guarded(() => need().move({ container: src.container, name: src.object }, { container: dest.container, name: dest.object })),
    },
  };
}
