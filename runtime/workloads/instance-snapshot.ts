// The state of a just-started instance, saved so that it can be put back after each request:
// wash's fresh-instance semantics (no state survives from one request to the next) without
// instantiating again. A core instance's state is its memories and mutable globals (every one
// is exported by components/global-exports.ts); tables are set up at instantiation and left
// alone by the code toolchains emit, so they are not saved.
//
// Putting it back copies each memory whole (a native memcpy). A memory a request grew cannot
// be put back: it cannot shrink, and an allocator restored to before the growth would grow it
// again on every request, without end. The caller starts a new instance then.

const GLOBAL_PREFIX = 'studio:global:';

interface SavedMemory {
  memory: WebAssembly.Memory;
  bytes: Uint8Array;
}

interface SavedGlobal {
  global: WebAssembly.Global;
  value: unknown;
}

export class InstanceSnapshot {
  private constructor(
    private readonly memories: SavedMemory[],
    private readonly globals: SavedGlobal[],
  ) {}

  /** The state of these core instances now, or undefined when some of it cannot be saved (a shared memory). */
  static take(instances: readonly WebAssembly.Instance[]): InstanceSnapshot | undefined {
    const memories = new Map<WebAssembly.Memory, SavedMemory>();
    const globals: SavedGlobal[] = [];
    for (const instance of instances) {
      for (const [name, value] of Object.entries(instance.exports)) {
        if (value instanceof WebAssembly.Memory) {
          if (!(value.buffer instanceof ArrayBuffer)) return undefined;
          if (!memories.has(value)) memories.set(value, { memory: value, bytes: new Uint8Array(value.buffer).slice() });
        } else if (value instanceof WebAssembly.Global && (name.startsWith(GLOBAL_PREFIX) || isMutable(value))) {
          globals.push({ global: value, value: value.value });
        }
      }
    }
    return new InstanceSnapshot([...memories.values()], globals);
  }

  /** Puts the state back; false (and nothing changed) when a memory grew since it was saved. */
  restore(): boolean {
    if (this.memories.some(({ memory, bytes }) => memory.buffer.byteLength !== bytes.length)) return false;
    for (const { memory, bytes } of this.memories) new Uint8Array(memory.buffer).set(bytes);
    for (const { global, value } of this.globals) global.value = value;
    return true;
  }
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
