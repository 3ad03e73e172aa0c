// The state of a just-started instance, saved so that it can be put back after each request:
// wash's fresh-instance semantics (no state survives from one request to the next) without
// instantiating again. A core instance's state is its memories and mutable globals (every one
// is exported by components/global-exports.ts); tables are set up at instantiation and left
// alone by the code toolchains emit, so they are not saved. The host objects the glue keeps
// for the instance's handles are saved with them, so that those got since go: see
// resource-tables.ts.
//
// Putting it back copies each memory back, except the stretches that were all zeros when it
// was saved: those are zeroed, which writes without reading, and no copy of them is kept.
// Nearly half the 9.5 MB memory of a componentize-js component is such stretches: putting it
// back takes a fifth to a quarter less time (0.46-0.69 ms against 0.62-0.77 ms under load) and
// the saved state 4.3 MB less memory. Zeroing only what a request wrote was slower: finding it
// reads the whole stretch. A memory a request grew cannot be put back: it cannot shrink, and
// an allocator restored to before the growth would grow it again on every request, without
// end. The caller starts a new instance then.
import { Buffer } from 'node:buffer';
import type { ResourceTables, SavedTables } from './resource-tables.ts';

const GLOBAL_PREFIX = 'studio:global:';
/** How finely a memory is split into stretches of zeros and stretches to copy. */
const CHUNK = 64 * 1024;
const ZEROS = new Uint8Array(CHUNK);

/** A stretch of a saved memory: the bytes to copy back at `start`, or `zeros` bytes of zero. */
type Stretch = { start: number; bytes: Uint8Array } | { start: number; zeros: number };

interface SavedMemory {
  memory: WebAssembly.Memory;
  byteLength: number;
  stretches: Stretch[];
}

interface SavedGlobal {
  global: WebAssembly.Global;
  value: unknown;
}

export class InstanceSnapshot {
  private constructor(
    private readonly memories: SavedMemory[],
    private readonly globals: SavedGlobal[],
    private readonly resources: { tables: ResourceTables; saved: SavedTables }[],
  ) {}

  /** The state of these core instances and their glue's tables now, or undefined when some of it cannot be saved (a shared memory). */
  static take(instances: readonly WebAssembly.Instance[], tables: readonly ResourceTables[] = []): InstanceSnapshot | undefined {
    const memories = new Map<WebAssembly.Memory, SavedMemory>();
    const globals: SavedGlobal[] = [];
    for (const instance of instances) {
      for (const [name, value] of Object.entries(instance.exports)) {
        if (value instanceof WebAssembly.Memory) {
          if (!(value.buffer instanceof ArrayBuffer)) return undefined;
          if (!memories.has(value)) memories.set(value, { memory: value, byteLength: value.buffer.byteLength, stretches: stretchesOf(new Uint8Array(value.buffer)) });
        } else if (value instanceof WebAssembly.Global && (name.startsWith(GLOBAL_PREFIX) || isMutable(value))) {
          globals.push({ global: value, value: value.value });
        }
      }
    }
    return new InstanceSnapshot(
      [...memories.values()],
      globals,
      tables.map((t) => ({ tables: t, saved: t.save() })),
    );
  }

  /** Puts the state back; false (and nothing changed) when a memory grew since it was saved. */
  restore(): boolean {
    if (this.memories.some(({ memory, byteLength }) => memory.buffer.byteLength !== byteLength)) return false;
    // First, while the memory is still the request's: disposing of an object another component
    // of the chain defines runs its destructor there, which must not touch the memory put back.
    for (const { tables, saved } of this.resources) tables.restore(saved);
    for (const { memory, stretches } of this.memories) {
      const live = new Uint8Array(memory.buffer);
      for (const stretch of stretches) {
        if ('zeros' in stretch) live.fill(0, stretch.start, stretch.start + stretch.zeros);
        else live.set(stretch.bytes, stretch.start);
      }
    }
    for (const { global, value } of this.globals) global.value = value;
    return true;
  }
}

/** The memory as stretches of zeros and copies of the rest, adjacent chunks of one kind merged. */
function stretchesOf(memory: Uint8Array): Stretch[] {
  const stretches: Stretch[] = [];
  let start = 0;
  let zero = false;
  const close = (end: number) => {
    if (end === start) return;
    stretches.push(zero ? { start, zeros: end - start } : { start, bytes: memory.slice(start, end) });
    start = end;
  };
  for (let at = 0; at < memory.length; at += CHUNK) {
    const chunk = memory.subarray(at, Math.min(memory.length, at + CHUNK));
    const isZero = Buffer.compare(chunk, ZEROS.subarray(0, chunk.length)) === 0;
    if (isZero !== zero) {
      close(at);
      zero = isZero;
    }
  }
  close(memory.length);
  return stretches;
}

/** Whether an exported global can be written (an immutable one throws). */
function isMutable(global: WebAssembly.Global): boolean {
  try {
    global.value = global.value as unknown;
    return true;
  } catch {
    return false;
  }
}
