// The host objects a component holds, as jco's glue keeps them: per imported resource type, a
// capture table (rep to host object), beside a handle table of the handles the component was
// given. An entry stays until the component drops its handle. A component that never drops
// one (componentize-js components never drop the request they are handed) leaves its host
// objects there for good: about 1 KB a request, until the worker ran out of memory. The tuned
// glue shows each capture table to this class as it creates it (see glue-tuning.ts), and the
// worker lets go of what no later request can use: in 'fresh' mode every host object the
// instance got since it started, in 'reuse' mode the request's own (http.ts's isRequestScoped).
//
// Only the capture tables are touched. The handle numbers stay taken (two numbers each, not a
// request's 1 KB): freeing them would hand a number the component still holds to the next
// request, so that a late drop of the old one dropped the new one. A late drop finds no object
// and does nothing, as jco's drop trampoline allows; a late use fails as an invalid resource.
import { disposeSymbol } from '../host/io.ts';

/** The capture tables' entries as they were at some moment (see InstanceSnapshot). */
export type SavedTables = Map<number, unknown>[];

export class ResourceTables {
  private readonly captured: Map<number, unknown>[] = [];

  /** What the tuned glue calls, under the import key RESOURCE_TABLES_IMPORT. */
  readonly hook = {
    captured: (table: Map<number, unknown>) => void this.captured.push(table),
  };

  /** How many host objects the component holds. */
  held(): number {
    return this.captured.reduce((sum, table) => sum + table.size, 0);
  }

  save(): SavedTables {
    return this.captured.map((table) => new Map(table));
  }

  /**
   * Lets go of the host objects got since `saved`, when the instance's memory is put back to
   * then: nothing in it can name them any more. They are disposed of as a drop would (an
   * outgoing call's lease is released).
   */
  restore(saved: SavedTables): void {
    this.captured.forEach((table, i) => this.release(table, (rep, object) => saved[i]?.get(rep) !== object));
  }

  /** Lets go of the host objects `done` picks (after a request: those it was handed). */
  releaseWhere(done: (object: unknown) => boolean): void {
    for (const table of this.captured) this.release(table, (_rep, object) => done(object));
  }

  private release(table: Map<number, unknown>, done: (rep: number, object: unknown) => boolean): void {
    for (const [rep, object] of table) {
      if (!done(rep, object)) continue;
      table.delete(rep);
      disposeOf(object);
    }
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
