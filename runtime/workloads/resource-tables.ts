// The host objects a component holds, as jco's glue keeps them: per imported resource type, a
// handle table (the handles the component was given, as pairs of scope and rep, with a free
// list) and a capture table (rep to host object), kept until the component drops the handle.
// A component that never drops one (componentize-js components never drop the request they
// are handed, nor its headers and body) leaves its host objects there for good: about 1 KB a
// request, until the worker ran out of memory. The tuned glue shows each table to this class
// as it creates it (see glue-tuning.ts), and the worker lets go of what no later request can
// use: in 'fresh' mode everything since the instance started, in 'reuse' mode the request's
// own objects (see http.ts's isRequestScoped).
import { disposeSymbol } from '../host/io.ts';

/** jco's mark on a handle table slot: in a pair's first number, a free slot; in its second, an own handle. */
const T_FLAG = 1 << 30;

interface TablePair {
  handles?: number[];
  captured?: Map<number, unknown>;
}

/** The tables as they were at some moment, to be put back (see InstanceSnapshot). */
export interface SavedTables {
  pairs: { pair: TablePair; handles: number[]; captured: Map<number, unknown> }[];
}

export class ResourceTables {
  private readonly pairs = new Map<number, TablePair>();

  /** What the tuned glue calls, under the import key RESOURCE_TABLES_IMPORT. */
  readonly hook = {
    handles: (type: number, table: number[]) => void (this.pair(type).handles = table),
    captured: (type: number, table: Map<number, unknown>) => void (this.pair(type).captured = table),
  };

  /** How many host objects the component holds. */
  held(): number {
    let count = 0;
    for (const { captured } of this.complete()) count += captured.size;
    return count;
  }

  save(): SavedTables {
    return { pairs: this.complete().map((pair) => ({ pair, handles: [...pair.handles], captured: new Map(pair.captured) })) };
  }

  /**
   * Puts the tables back as saved, with the instance's memory: handles given out since then
   * mean nothing to the instance any more. Host objects it got since then are disposed of as a
   * drop would (an outgoing call's lease is released).
   */
  restore(saved: SavedTables): void {
    for (const { pair, handles, captured } of saved.pairs) {
      for (const [rep, object] of pair.captured!) if (captured.get(rep) !== object) disposeOf(object);
      pair.captured!.clear();
      for (const [rep, object] of captured) pair.captured!.set(rep, object);
      pair.handles!.length = 0;
      pair.handles!.push(...handles);
    }
  }

  /** Drops the handles of the host objects `done` picks, as the component's own drop would. */
  release(done: (object: unknown) => boolean): void {
    for (const { handles, captured } of this.complete()) {
      for (const [rep, object] of captured) {
        if (!done(object)) continue;
        freeHandlesOf(handles, rep);
        captured.delete(rep);
        disposeOf(object);
      }
    }
  }

  private pair(type: number): TablePair {
    let pair = this.pairs.get(type);
    if (!pair) this.pairs.set(type, (pair = {}));
    return pair;
  }

  /** The resource types with both tables: a table alone (a resource the component exports) is left as jco keeps it. */
  private complete(): Required<TablePair>[] {
    return [...this.pairs.values()].filter((pair): pair is Required<TablePair> => pair.handles !== undefined && pair.captured !== undefined);
  }
}

/** Frees each live own handle to `rep`, as jco's rscTableRemove does: the slot goes on the free list. */
function freeHandlesOf(table: number[], rep: number): void {
  for (let handle = 1; handle << 1 < table.length; handle++) {
    const scope = table[handle << 1]!;
    const value = table[(handle << 1) + 1]!;
    if ((scope & T_FLAG) !== 0 || value !== (rep | T_FLAG)) continue;
    table[handle << 1] = table[0]! | T_FLAG;
    table[0] = handle | T_FLAG;
  }
}

function disposeOf(object: unknown): void {
  const disposer = (object as Record<symbol, unknown> | null)?.[disposeSymbol];
  if (typeof disposer !== 'function') return;
  try {
    (disposer as () => void).call(object);
  } catch {
    // What a drop would have thrown: the component is not there to hear it.
  }
}
