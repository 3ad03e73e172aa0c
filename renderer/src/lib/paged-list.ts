// A list the studio hands over page by page (a bucket's keys, a folder's objects): the first
// page, the next one as the view scrolls, or all the rest at once for End. A newer listing
// drops the answer of an older one still on its way, so a page never lands in another list.
import type { StoreApi } from 'zustand';
import { describeError } from '../api/api-error.ts';

/** What a paged list keeps in its store. */
export interface PagedListState {
  cursor: string | undefined;
  listing: boolean;
  listError: string | undefined;
}

export interface PagedList {
  /** The first page (`reset`), or the next one unless a page is on its way or none is left. */
  list(reset: boolean): Promise<void>;
  /** Every page not loaded yet; a failure shows as listError. */
  listRest(): Promise<void>;
}

export interface PagedListSource<S, R> {
  pageSize: number;
  /** Page size for listRest: fewer, larger calls. */
  restPageSize: number;
  /** The listing call for the list open in `state` (`cursor` undefined for the first page), or undefined when none is open. */
  fetch(state: S, cursor: string | undefined, limit: number): Promise<R> | undefined;
  /** What the store takes from a page (`reset`: the first page, replacing what was there). */
  apply(state: S, page: R, reset: boolean): Partial<S>;
}

export function pagedList<S extends PagedListState, R extends { cursor?: string }>(store: StoreApi<S>, source: PagedListSource<S, R>): PagedList {
  let seq = 0;
  /** Loads one page; false when it failed or a newer listing took over. */
  const loadPage = async (reset: boolean, limit: number): Promise<boolean> => {
    const state = store.getState();
    const call = source.fetch(state, reset ? undefined : state.cursor, limit);
    if (!call) return false;
    const mine = ++seq;
    store.setState({ listing: true, ...(reset ? { listError: undefined } : {}) } as Partial<S>);
    try {
      const page = await call;
      if (mine !== seq) return false;
      store.setState({ ...source.apply(store.getState(), page, reset), cursor: page.cursor, listing: false } as Partial<S>);
      return true;
    } catch (err) {
      if (mine !== seq) return false;
      store.setState({ listing: false, listError: describeError(err).message } as Partial<S>);
      return false;
    }
  };
  return {
    async list(reset) {
      const { cursor, listing } = store.getState();
      if (!reset && (listing || cursor === undefined)) return;
      await loadPage(reset, source.pageSize);
    },
    async listRest() {
      // A page on its way is loaded again, in a bigger one: its answer would come after this one's.
      while (store.getState().cursor !== undefined && (await loadPage(false, source.restPageSize)));
    },
  };
}
