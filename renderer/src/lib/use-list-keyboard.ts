// Keyboard access for the virtualized lists (Key-value keys, Blobs objects, Traffic requests,
// Logs lines): the list is one Tab stop; the arrows, Home/End and PageUp/PageDown move an
// active row that aria-activedescendant names (so it works while most rows are not in the
// DOM) and that the list scrolls into view; Enter opens it as a click does; Space toggles its
// check box, or opens it where rows have none. In a list loaded page by page, End loads the
// rest first, so it reaches the real last row. It owns the active row and its scrolling only:
// what opening or toggling means stays with the view, and it must not move the picked row.
import type { Virtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useState, type FocusEvent, type KeyboardEvent, type MouseEvent } from 'react';
import './list-keyboard.css';
import { focusAfterRender } from './focus-after-render.ts';

export interface ListKeyboardOptions {
  /** Rows in the list, loaded or not. */
  count: number;
  virtualizer: Virtualizer<HTMLDivElement, Element>;
  /** Every row's height in pixels: what is on screen, and how far a page goes. */
  rowHeight: number;
  /** Another value (another bucket, folder or filter) drops the active row: its index now means another row. */
  resetKey?: string;
  /** The row the view shows as picked: where the keyboard starts when that row is on screen. */
  pickedIndex?: number;
  onOpen(index: number): void;
  /** What Space does to a row: toggle its check box. Without it, Space opens like Enter. */
  onToggle?(index: number): void;
  /** Loads the rows not loaded yet (a list that loads page by page), for End to go to the real last one. */
  loadRest?(): Promise<void>;
}

/** What the scrolling element with the list's role (listbox or grid) takes. */
export interface ListKeyboardProps {
  tabIndex: number;
  'data-keyboard-list': '';
  'aria-activedescendant': string | undefined;
  onKeyDown(e: KeyboardEvent<HTMLElement>): void;
  onFocus(e: FocusEvent<HTMLElement>): void;
  onClick(e: MouseEvent<HTMLElement>): void;
}

/** A row's place and id in the list, and whether it is the keyboard's row: plain values, for memoized rows. */
export interface ListRowState {
  index: number;
  id: string;
  keyboardActive: boolean;
}

/** What a row's element takes: its id for aria-activedescendant, its index (a click makes it the active row) and the marker. */
export interface ListRowProps {
  id: string;
  'data-index': number;
  'data-keyboard-active': '' | undefined;
}

export interface ListKeyboard {
  activeIndex: number | undefined;
  rowState(index: number): ListRowState;
  rowProps(index: number): ListRowProps;
  listProps: ListKeyboardProps;
  /** Moves the active row along with its line when `by` rows arrive above it (older log lines). */
  shift(by: number): void;
}

export function listRowProps({ index, id, keyboardActive }: ListRowState): ListRowProps {
  return { id, 'data-index': index, 'data-keyboard-active': keyboardActive ? '' : undefined };
}

const NAVIGATION = new Set(['ArrowDown', 'ArrowUp', 'Home', 'End', 'PageDown', 'PageUp']);

export function useListKeyboard({ count, virtualizer, rowHeight, resetKey, pickedIndex, onOpen, onToggle, loadRest }: ListKeyboardOptions): ListKeyboard {
  const idPrefix = useId();
  const [state, setState] = useState<{ index: number; resetKey: string | undefined }>();
  const activeIndex = state && state.resetKey === resetKey && count > 0 ? Math.min(state.index, count - 1) : undefined;
  // End in a list still loading the rest: once it is loaded (and rendered, so the virtualizer
  // counts it), the active row goes to the last one, unless the list changed meanwhile.
  const [restLoaded, setRestLoaded] = useState<{ resetKey: string | undefined }>();
  useEffect(() => {
    if (!restLoaded) return;
    setRestLoaded(undefined);
    if (restLoaded.resetKey !== resetKey || count === 0) return;
    setState({ index: count - 1, resetKey });
    virtualizer.scrollToIndex(count - 1, { align: 'auto' });
  }, [restLoaded, resetKey, count, virtualizer]);
  const rowId = (index: number) => `${idPrefix}-row-${index}`;
  const rowState = (index: number): ListRowState => ({ index, id: rowId(index), keyboardActive: index === activeIndex });
  const setActive = (index: number) => setState({ index, resetKey });

  /** The rows wholly on screen, first and last. */
  const onScreen = (): [number, number] => {
    const el = virtualizer.scrollElement;
    if (!el) return [0, 0];
    const first = Math.min(Math.ceil(el.scrollTop / rowHeight), count - 1);
    return [first, Math.max(first, Math.min(Math.floor((el.scrollTop + el.clientHeight) / rowHeight) - 1, count - 1))];
  };
  // Starting where the user looks, never by scrolling: a click's focus comes before the click,
  // and a scroll in between would move another row under the pointer.
  const start = () => {
    const [first, last] = onScreen();
    return pickedIndex !== undefined && pickedIndex >= first && pickedIndex <= last ? pickedIndex : first;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || count === 0) return;
    const fromList = e.target === e.currentTarget;
    if (NAVIGATION.has(e.key)) {
      const page = Math.max(1, Math.floor(e.currentTarget.clientHeight / rowHeight) - 1);
      const from = activeIndex ?? start();
      // With no active row yet, an arrow shows where the keyboard is before it moves anywhere.
      const starting = activeIndex === undefined && (e.key === 'ArrowDown' || e.key === 'ArrowUp');
      const next = starting
        ? from
        : e.key === 'ArrowDown'
          ? from + 1
          : e.key === 'ArrowUp'
            ? from - 1
            : e.key === 'Home'
              ? 0
              : e.key === 'End'
                ? count - 1
                : e.key === 'PageDown'
                  ? from + page
                  : from - page;
      const index = Math.max(0, Math.min(next, count - 1));
      e.preventDefault();
      if (e.key === 'End' && loadRest) void loadRest().then(() => setRestLoaded({ resetKey }));
      // From a check box or a link in a row, the list takes the focus back: the marker is its.
      if (!fromList) e.currentTarget.focus();
      setActive(index);
      virtualizer.scrollToIndex(index, { align: 'auto' });
    } else if (fromList && activeIndex !== undefined && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      if (e.key === ' ' && onToggle) onToggle(activeIndex);
      else onOpen(activeIndex);
    }
  };

  const rendered = activeIndex !== undefined && virtualizer.getVirtualItems().some((item) => item.index === activeIndex);
  return {
    activeIndex,
    rowState,
    rowProps: (index) => listRowProps(rowState(index)),
    shift: (by) => setState((s) => (s ? { ...s, index: Math.max(0, s.index + by) } : s)),
    listProps: {
      tabIndex: 0,
      'data-keyboard-list': '',
      'aria-activedescendant': rendered ? rowId(activeIndex) : undefined,
      onKeyDown,
      onFocus: (e) => {
        if (e.target === e.currentTarget && activeIndex === undefined && count > 0) setActive(start());
      },
      onClick: (e) => {
        const row = (e.target as Element).closest<HTMLElement>('[data-index]');
        if (row && e.currentTarget.contains(row)) setActive(Number(row.dataset.index));
      },
    },
  };
}

/** Gives the focus back to a view's list once a panel opened from it closes (its Close button, Escape). */
export function focusList(view: string): void {
  focusAfterRender(`section.view[data-view="${view}"] [data-keyboard-list]`);
}
