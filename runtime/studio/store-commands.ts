// The kv.* and blob.* commands of the Studio API over the session's data stores, and the
// 'kv.changed' / 'blob.changed' events. Events come from StoreWatchers on the two folders, so
// the UI hears of every change, whoever made it: a component, wash, a script. Changes made
// through these commands are also announced at once: a watcher can miss a file that comes
// and goes quickly, and the UI should not wait for one anyway.
// Bytes cross as base64. Blob uploads come in parts: offset 0 opens a streamed write, each
// part must start where the previous one ended, and the last part commits the object.
import { StudioFailure } from '../errors.ts';
import type { SessionStores } from '../session/dev-session.ts';
import type { ObjectInfo, ObjectWriter } from '../stores/blob-store.ts';
import { StoreWatcher, type StoreChange } from '../stores/store-watcher.ts';
import type { BlobObjectView, CommandArgs, CommandName, CommandResult } from './api.ts';
import type { StudioEvent } from './studio-service.ts';

type StoreCommandName = Extract<CommandName, `kv.${string}` | `blob.${string}`>;
export type StoreHandlers = { [C in StoreCommandName]: (args: CommandArgs<C>) => Promise<CommandResult<C>> };

/** Largest slice of an object one blob.get returns; larger reads go in ranges. */
const MAX_BLOB_READ = 32 * 2 ** 20;
/** An upload with no part for this long is abandoned (its temp file removed). */
const UPLOAD_IDLE_MS = 10 * 60_000;

/** The commands that only read; the others write and wait longer while a snapshot is taken. */
const READS = new Set<StoreCommandName>(['kv.buckets', 'kv.list', 'kv.get', 'blob.containers', 'blob.list', 'blob.get']);

interface Upload {
  writer: ObjectWriter;
  /** Abandons the upload when no part comes for a while. */
  timer: NodeJS.Timeout | undefined;
}

export class StoreCommands {
  private readonly uploads = new Map<string, Upload>();
  private watched: { stores: SessionStores; watchers: Promise<StoreWatcher[]> } | undefined;

  constructor(
    private readonly stores: () => SessionStores | undefined,
    private readonly emit: (event: StudioEvent) => void,
    private readonly onWatchError: (text: string) => void,
  ) {}

  private kvChanged(bucket: string, key: string | undefined, kind: StoreChange['kind']): void {
    this.emit({ event: 'kv.changed', payload: { bucket, ...(key !== undefined ? { key } : {}), kind } });
  }

  private blobChanged(container: string, name: string | undefined, kind: StoreChange['kind']): void {
    this.emit({ event: 'blob.changed', payload: { container, ...(name !== undefined ? { name } : {}), kind } });
  }

  /** Watches the current session's store folders (again, when they changed). */
  watch(): void {
    const stores = this.stores();
    if (!stores || this.watched?.stores === stores) return;
    void this.unwatch();
    const onChanges = (changes: StoreChange[]) => {
      for (const change of changes) {
        if (change.store === 'keyvalue') this.kvChanged(change.bucket, change.key, change.kind);
        else this.blobChanged(change.bucket, change.key, change.kind);
      }
    };
    const onError = (error: Error) => this.onWatchError(error.message);
    const watchers = Promise.all([
      StoreWatcher.start({ root: stores.keyvaluePath, store: 'keyvalue', onChanges, onError }),
      StoreWatcher.start({ root: stores.blobstorePath, store: 'blobstore', onChanges, onError }),
    ]).catch((err: unknown) => {
      onError(err as Error);
      return [];
    });
    this.watched = { stores, watchers };
  }

  /** Stops watching and abandons pending uploads (the session is going away). */
  async reset(): Promise<void> {
    for (const upload of this.uploads.values()) {
      clearTimeout(upload.timer);
      upload.writer.abort();
    }
    this.uploads.clear();
    await this.unwatch();
  }

  /** Stops reporting changes while a restore swaps the folders' contents (it would report every key). */
  async quiet(): Promise<void> {
    await this.unwatch();
  }

  /**
   * Watches again after a restore and tells the browsers what it did, bucket by bucket:
   * `bucket-created` for each bucket and container there is now (they list them again),
   * `bucket-deleted` for those that went.
   */
  afterRestore(before: { buckets: string[]; containers: string[] }): void {
    const stores = this.stores();
    this.watch();
    if (!stores) return;
    const buckets = stores.keyvalue.buckets();
    const containers = stores.blobstore.containers().map((c) => c.name);
    for (const bucket of before.buckets) if (!buckets.includes(bucket)) this.kvChanged(bucket, undefined, 'bucket-deleted');
    for (const bucket of buckets) this.kvChanged(bucket, undefined, 'bucket-created');
    for (const container of before.containers) if (!containers.includes(container)) this.blobChanged(container, undefined, 'bucket-deleted');
    for (const container of containers) this.blobChanged(container, undefined, 'bucket-created');
  }

  private async unwatch(): Promise<void> {
    const watched = this.watched;
    this.watched = undefined;
    if (watched) await Promise.all((await watched.watchers).map((w) => w.close()));
  }

  handlers(): StoreHandlers {
    const handlers: StoreHandlers = {
      'kv.buckets': async () => this.need().keyvalue.buckets(),
      'kv.createBucket': async ({ bucket }) => {
        this.need().keyvalue.createBucket(bucket);
        this.kvChanged(bucket, undefined, 'bucket-created');
        return null;
      },
      'kv.deleteBucket': async ({ bucket }) => {
        this.need().keyvalue.deleteBucket(bucket);
        this.kvChanged(bucket, undefined, 'bucket-deleted');
        return null;
      },
      'kv.list': async ({ bucket, prefix, cursor, limit }) => {
        const kv = this.need().keyvalue;
        const page = kv.list(bucket, { ...(prefix !== undefined ? { prefix } : {}), ...(cursor !== undefined ? { cursor } : {}), ...(limit !== undefined ? { limit } : {}) });
        return { keys: page.keys, ...(page.cursor !== undefined ? { cursor: page.cursor } : {}), total: kv.size(bucket) };
      },
      'kv.get': async ({ bucket, key, limit }) => {
        const value = this.need().keyvalue.get(bucket, key);
        if (value === undefined) return null;
        const shown = limit === undefined ? value.byteLength : Math.min(limit, value.byteLength);
        return { value: Buffer.from(value.buffer, value.byteOffset, shown).toString('base64'), size: value.byteLength };
      },
      'kv.set': async ({ bucket, key, value }) => {
        this.need().keyvalue.set(bucket, key, Buffer.from(value, 'base64'));
        this.kvChanged(bucket, key, 'set');
        return null;
      },
      'kv.delete': async ({ bucket, key }) => {
        this.need().keyvalue.delete(bucket, key);
        this.kvChanged(bucket, key, 'delete');
        return null;
      },
      'kv.increment': async ({ bucket, key, delta }) => {
        const value = this.need().keyvalue.increment(bucket, key, BigInt(delta)).toString();
        this.kvChanged(bucket, key, 'set');
        return { value };
      },

      'blob.containers': async () => this.need().blobstore.containers().map(({ name, createdAt }) => ({ name, createdAt })),
      'blob.createContainer': async ({ container }) => {
        this.need().blobstore.createContainer(container);
        this.blobChanged(container, undefined, 'bucket-created');
        return null;
      },
      'blob.deleteContainer': async ({ container }) => {
        this.need().blobstore.deleteContainer(container);
        this.blobChanged(container, undefined, 'bucket-deleted');
        return null;
      },
      'blob.list': async ({ container, prefix, delimiter, cursor, limit }) => {
        if (delimiter !== undefined && delimiter !== '/') {
          throw new StudioFailure({ code: 'bad-arguments', message: `blob.list: the delimiter must be "/", not ${JSON.stringify(delimiter)}.`, hint: 'Object names use "/" for folders.' });
        }
        const page = this.need().blobstore.list(container, {
          ...(prefix !== undefined ? { prefix } : {}),
          ...(delimiter !== undefined ? { delimiter } : {}),
          ...(cursor !== undefined ? { cursor } : {}),
          ...(limit !== undefined ? { limit } : {}),
        });
        return { objects: page.objects.map(objectView), prefixes: page.prefixes, ...(page.cursor !== undefined ? { cursor: page.cursor } : {}) };
      },
      'blob.get': async ({ container, name, start = 0, end }) => {
        // `end` is exclusive here (as in slice); the store's ranges are inclusive.
        const blobs = this.need().blobstore;
        const object = blobs.info(container, name);
        const stop = Math.min(end ?? object.size, object.size);
        if (stop - start > MAX_BLOB_READ) {
          throw new StudioFailure({ code: 'range-too-large', message: `${name} is ${object.size} bytes; one blob.get returns at most ${MAX_BLOB_READ} bytes.`, hint: 'Read it in parts with start and end.' });
        }
        const bytes = stop <= start ? new Uint8Array(0) : blobs.get(container, name, { start, end: stop - 1 });
        return { data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), object: objectView(object) };
      },
      'blob.put': async ({ container, name, data, offset, last }) => this.putPart(container, name, Buffer.from(data, 'base64'), offset, last),
      'blob.delete': async ({ container, names }) => {
        this.need().blobstore.delete(container, names);
        for (const name of names) this.blobChanged(container, name, 'delete');
        return null;
      },
    };
    // A snapshot or restore on this (the main) thread pauses the stores: these calls wait for
    // it asynchronously instead of blocking the thread that has to finish it.
    const gated = {} as Record<string, (args: never) => Promise<unknown>>;
    for (const [name, handler] of Object.entries(handlers) as [StoreCommandName, (args: never) => Promise<unknown>][]) {
      const kind = READS.has(name) ? 'read' : 'write';
      gated[name] = async (args: never) => {
        await this.stores()?.locks.whenOpen(kind);
        return handler(args);
      };
    }
    return gated as StoreHandlers;
  }

  private putPart(container: string, name: string, bytes: Uint8Array, offset: number, last: boolean): BlobObjectView | null {
    const blobs = this.need().blobstore;
    const id = `${container}\u0000${name}`;
    let upload = this.uploads.get(id);
    if (offset === 0) {
      if (upload) this.drop(id, upload);
      upload = { writer: blobs.openWrite(container, name), timer: undefined };
      this.uploads.set(id, upload);
    } else if (!upload || upload.writer.size !== offset) {
      throw new StudioFailure({
        code: 'upload-out-of-order',
        message: upload ? `The part for ${name} starts at byte ${offset}, but ${upload.writer.size} bytes were uploaded so far.` : `There is no upload of ${name} in progress to add bytes at ${offset} to.`,
        hint: 'Start the upload again from offset 0.',
      });
    }
    const current = upload;
    clearTimeout(current.timer);
    try {
      current.writer.write(bytes);
      if (last) {
        this.uploads.delete(id);
        const committed = objectView(current.writer.commit());
        this.blobChanged(container, name, 'set');
        return committed;
      }
    } catch (error) {
      this.drop(id, current);
      throw error;
    }
    current.timer = setTimeout(() => this.drop(id, current), UPLOAD_IDLE_MS).unref();
    return null;
  }

  private drop(id: string, upload: Upload): void {
    clearTimeout(upload.timer);
    upload.writer.abort();
    if (this.uploads.get(id) === upload) this.uploads.delete(id);
  }

  private need(): SessionStores {
    const stores = this.stores();
    if (!stores) {
      throw new StudioFailure({ code: 'stores-unavailable', message: 'The data stores are not open yet.', hint: 'They open when the project has been read; wait for the first build.' });
    }
    return stores;
  }
}

function objectView(info: ObjectInfo): BlobObjectView {
  return { name: info.name, size: info.size, modified: info.modified, contentType: info.contentType };
}
