// Live logs: follows new lines (pause to read), filters by level, source, text and stream
// (a component's stdout or stderr) on the Node side, highlights what was searched, keeps ANSI
// colours, shows outbound HTTP calls from their fields, exports what matches. Virtualized:
// only the rows on screen exist in the DOM, so 100k lines scroll like 100.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import type { LogLevel, LogRecordView, LogStream } from '../../api/types.ts';
import { ansiToHtml, stripAnsi } from '../../lib/ansi.ts';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ConfirmDialog } from '../../components/Dialog.tsx';
import { downloadBlob } from '../../lib/download.ts';
import { formatCount, formatTime } from '../../lib/format.ts';
import { focusList, listRowProps, useListKeyboard, type ListRowState } from '../../lib/use-list-keyboard.ts';
import { isEditable, isMod } from '../../shell/shortcuts.ts';
import { modKey, useIsActive, useUi } from '../../stores/ui-store.ts';
import { revealHidden } from '../../lib/visible-text.ts';
import { isFiltered, LEVELS, queryArgs, useLogs } from './logs-store.ts';
import { OutboundLine } from './OutboundLine.tsx';

const ROW = 20;
/** The studio keeps the newest 100,000 records, which is also the most a query returns: an export takes every match. */
const EXPORT_LIMIT = 100_000;

interface Row {
  record: LogRecordView;
  line: string;
  first: boolean;
}

const linesCache = new WeakMap<LogRecordView, string[]>();
function linesOf(record: LogRecordView): string[] {
  let lines = linesCache.get(record);
  if (!lines) {
    lines = record.text.replace(/\r?\n$/, '').split(/\r?\n/);
    linesCache.set(record, lines);
  }
  return lines;
}

interface LogRowProps extends ListRowState {
  row: Row;
  term: string;
  start: number;
  onPick: (record: LogRecordView) => void;
  /** The row's line is the one open in the whole-line pane. */
  picked: boolean;
}

const LogRow = memo(function LogRow({ row, term, start, onPick, picked, ...place }: LogRowProps) {
  const { record, line, first } = row;
  return (
    <div className="log-row" {...listRowProps(place)} role="option" aria-selected={picked} data-level={record.level} style={{ transform: `translateY(${start}px)` }} onClick={() => onPick(record)}>
      <span className="log-time">{first ? formatTime(record.time) : ''}</span>
      <span className="log-level">{first ? record.level : ''}</span>
      <span className="log-source" title={record.source}>
        {first ? record.source : ''}
      </span>
      {record.stream && (
        <span className="log-stream" data-stream={record.stream} title={`printed on ${record.stream}`}>
          {first ? record.stream : ''}
        </span>
      )}
      {record.by && (
        <span className="log-stream" data-by={record.by} title={record.by === 'check' ? 'logged while answering a pinned check, not a client' : 'logged while answering a replay, not a client'}>
          {first ? record.by : ''}
        </span>
      )}
      {record.http && !term ? (
        <span className="log-text">
          <OutboundLine call={record.http} text={record.text} />
        </span>
      ) : (
        // A search shows the line's text (an outbound call's too, as the terminal prints it), colours kept, with what matched marked.
        <span className="log-text" title={first ? 'Click to read the whole line' : undefined} dangerouslySetInnerHTML={{ __html: ansiToHtml(line, term) }} />
      )}
    </div>
  );
});

/** A line as a whole, below the list: rows are cut to one line, and a long one (a stack, a JSON value) needs reading. */
function WholeLine({ record, onClose }: { record: LogRecordView; onClose: () => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const text = stripAnsi(record.text);
  return (
    <section className="log-whole" aria-label="Whole log line">
      <div className="log-whole-head">
        <span className="mono">{formatTime(record.time)}</span>
        <span className="log-level">{record.level}</span>
        <span className="muted">{record.source}</span>
        <div className="toolbar-spacer" />
        <button className="btn btn-small" onClick={() => void navigator.clipboard?.writeText(text)} title="Copy the line">
          Copy
        </button>
        <button className="btn btn-small" onClick={onClose} aria-label="Close (Esc)" title="Close (Esc)">
          ✕
        </button>
      </div>
      <pre className="log-whole-text">{revealHidden(text)}</pre>
    </section>
  );
}

/**
 * A button that shows and hides a group of check boxes (a disclosure, not a menu: Tab goes
 * through the boxes). It closes on Escape, giving the focus back to the button, on a click
 * elsewhere, and when the focus leaves it.
 */
function SourcePicker({ sources, chosen, onChange }: { sources: string[]; chosen: string[]; onChange: (s: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menuId = useId();
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => !ref.current?.contains(e.target as Node) && setOpen(false);
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [open]);
  return (
    <div
      className="dropdown"
      ref={ref}
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || !open) return;
        // This Escape is the menu's: the whole-line pane (listening on the window) stays open.
        e.stopPropagation();
        setOpen(false);
        button.current?.focus();
      }}
      onBlur={(e) => {
        if (open && !ref.current?.contains(e.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <button ref={button} className="btn" aria-expanded={open} aria-controls={open ? menuId : undefined} onClick={() => setOpen(!open)}>
        Sources: {chosen.length === 0 ? 'all' : chosen.length === 1 ? chosen[0] : `${chosen.length}`} ▾
      </button>
      {open && (
        // tabIndex -1: a click on the menu's padding keeps the focus inside, so the menu stays.
        <div className="dropdown-menu" id={menuId} role="group" aria-label="Sources" tabIndex={-1}>
          <label className="check-row">
            <input type="checkbox" checked={chosen.length === 0} onChange={() => onChange([])} /> All sources
          </label>
          {sources.length === 0 && <div className="muted small pad">No source has logged yet.</div>}
          {sources.map((s) => (
            <label key={s} className="check-row">
              <input type="checkbox" checked={chosen.includes(s)} onChange={(e) => onChange(e.target.checked ? [...chosen, s] : chosen.filter((c) => c !== s))} /> {s}
            </label>
          ))}
        </div>
      )}
    </div>
  );
}

export function LogsView() {
  const { filter, records, total, sources, loading, loadingOlder, error, paused, pending, prependedRecords } = useLogs();
  const active = useIsActive('logs');
  const parent = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const [follow, setFollow] = useState(true);
  const [confirmClear, setConfirmClear] = useState(false);
  const [picked, setPicked] = useState<LogRecordView>();
  const [searchText, setSearchText] = useState(filter.text);

  useEffect(() => useLogs.getState().start(), []);

  const rows = useMemo(() => {
    const out: Row[] = [];
    for (const record of records) {
      const lines = linesOf(record);
      for (let i = 0; i < lines.length; i++) out.push({ record, line: lines[i]!, first: i === 0 });
    }
    return out;
  }, [records]);

  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 30 });
  const pickedIndex = useMemo(() => (picked ? rows.findIndex((r) => r.record === picked) : -1), [rows, picked]);
  const keyboard = useListKeyboard({
    count: rows.length,
    virtualizer,
    rowHeight: ROW,
    resetKey: JSON.stringify(filter),
    pickedIndex: pickedIndex >= 0 ? pickedIndex : undefined,
    onOpen: (index) => setPicked(rows[index]!.record),
  });

  // Keep the place when older rows arrive on top.
  const prevRows = useRef({ length: 0, firstSeq: -1 });
  useLayoutEffect(() => {
    const el = parent.current;
    const firstSeq = rows[0]?.record.seq ?? -1;
    if (el && prependedRecords > 0 && firstSeq !== prevRows.current.firstSeq && prevRows.current.length > 0) {
      el.scrollTop += (rows.length - prevRows.current.length) * ROW;
      keyboard.shift(rows.length - prevRows.current.length);
    }
    prevRows.current = { length: rows.length, firstSeq };
  }, [rows, prependedRecords]);

  // The newest record on screen when the reader scrolled up: the Follow button counts the lines after it.
  const readUpTo = useRef(-1);
  // Follow: stay at the bottom as lines arrive. A reader who scrolled up in the same frame as
  // new lines came (its scroll event not handled yet) is left there, and following stops:
  // scrolling back down would undo what they just did.
  const followed = useRef({ length: 0, firstSeq: -1 });
  useLayoutEffect(() => {
    const el = parent.current;
    const before = followed.current;
    const firstSeq = rows[0]?.record.seq ?? -1;
    followed.current = { length: rows.length, firstSeq };
    if (!follow || paused || !active || rows.length === 0) return;
    const appended = before.length > 0 && rows.length > before.length && firstSeq === before.firstSeq;
    if (el && appended && el.scrollTop + el.clientHeight < (before.length - 2) * ROW) {
      readUpTo.current = rows[before.length - 1]!.record.seq;
      setFollow(false);
      return;
    }
    virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
  }, [rows, follow, paused, active, virtualizer]);

  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if (isMod(e) && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        search.current?.focus();
        search.current?.select();
      } else if (e.key === 'End' && !isMod(e) && !isEditable(e.target)) {
        // Not from a form control (the search, the Level select, a check box): End is theirs there.
        setFollow(true);
        useLogs.getState().setPaused(false);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active]);

  const unread = useMemo(() => {
    let count = 0;
    for (let i = rows.length - 1; i >= 0 && rows[i]!.record.seq > readUpTo.current; i--) count++;
    return count;
  }, [rows, follow]);

  const onScroll = () => {
    const el = parent.current;
    if (!el) return;
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW * 2;
    if (!atBottom && follow) readUpTo.current = rows.at(-1)?.record.seq ?? -1;
    if (atBottom !== follow) setFollow(atBottom);
    if (el.scrollTop < ROW * 10) void useLogs.getState().loadOlder();
  };

  const exportLogs = async () => {
    try {
      // Asked afresh with the filters as they are now: the count on screen may still be the last search's.
      const result = await studio.call('logs.query', { ...queryArgs(useLogs.getState().filter), limit: EXPORT_LIMIT });
      const text = result.records.map((r) => `${new Date(r.time).toISOString()} ${r.level.toUpperCase().padEnd(8)} ${r.source}${r.stream ? ` ${r.stream}` : ''}${r.by ? ` [${r.by}]` : ''}  ${stripAnsi(r.text)}`).join('\n');
      downloadBlob(text + '\n', `studio-logs-${new Date().toISOString().replace(/[:.]/g, '-')}.log`, 'text/plain');
    } catch (err) {
      useUi.getState().toast({ tone: 'error', title: 'Could not export the logs', detail: describeError(err).message });
    }
  };

  const filtered = isFiltered(filter);
  return (
    <div className="view-fill">
      <header className="toolbar">
        <h1 className="toolbar-title">Logs</h1>
        <div className="search-box">
          <input
            ref={search}
            className="input"
            type="search"
            placeholder={`Search (${modKey}+F)`}
            aria-label="Search logs"
            value={searchText}
            onChange={(e) => {
              setSearchText(e.target.value);
              useLogs.getState().setFilter({ text: e.target.value });
            }}
          />
        </div>
        <label className="inline-field">
          Level
          <select className="input" aria-label="Minimum level" value={filter.minLevel} onChange={(e) => useLogs.getState().setFilter({ minLevel: e.target.value as LogLevel })}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l === 'trace' ? 'all' : `${l}+`}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          Stream
          <select
            className="input"
            aria-label="Stream"
            title="What components printed on stdout or stderr (both are logged at info)"
            value={filter.stream ?? ''}
            onChange={(e) => useLogs.getState().setFilter({ stream: (e.target.value || undefined) as LogStream | undefined })}
          >
            <option value="">all</option>
            <option value="stdout">stdout</option>
            <option value="stderr">stderr</option>
          </select>
        </label>
        <SourcePicker sources={sources} chosen={filter.sources} onChange={(s) => useLogs.getState().setFilter({ sources: s })} />
        <div className="toolbar-spacer" />
        <span className="muted small" aria-live="polite" data-testid="log-count">
          {loading ? 'Searching…' : `${formatCount(records.length)} of ${formatCount(total)}${filtered ? ' matching' : ''}`}
        </span>
        <button className={`btn ${paused ? 'btn-primary' : ''}`} onClick={() => useLogs.getState().setPaused(!paused)} title={paused ? 'Resume following' : 'Pause: new lines wait until you resume'}>
          {paused ? `▶ Resume${pending.length ? ` (${formatCount(pending.length)} new)` : ''}` : '❚❚ Pause'}
        </button>
        <button className="btn" onClick={() => void exportLogs()} title="Download the matching lines as a .log file">
          ↓ Export
        </button>
        <button className="btn" onClick={() => setConfirmClear(true)} title="Clear the log buffer">
          ⌫ Clear
        </button>
      </header>
      {error && (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      )}
      {/* A listbox, not role="log": a log is a live region, and would read out every line that
          arrives and every row the virtual list renders again while scrolling. Errors are said above. */}
      <div className="log-list" ref={parent} onScroll={onScroll} role="listbox" aria-label="Log lines" {...keyboard.listProps}>
        {records.length === 0 && !loading ? (
          filtered ? (
            <EmptyState title="No line matches" icon="⌕">
              <p>Nothing logged matches this search and these filters. Clear the search box, or pick a lower level or more sources.</p>
            </EmptyState>
          ) : (
            <EmptyState title="No logs yet" icon="≡">
              <p>Lines from builds, the gateway and your components appear here as they happen. Send a request from the HTTP view to see some.</p>
            </EmptyState>
          )
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {loadingOlder && <div className="log-loading-older">Loading older lines…</div>}
            {virtualizer.getVirtualItems().map((item) => (
              <LogRow
                key={item.index}
                row={rows[item.index]!}
                start={item.start}
                term={filter.text}
                onPick={setPicked}
                picked={rows[item.index]!.record === picked}
                {...keyboard.rowState(item.index)}
              />
            ))}
          </div>
        )}
      </div>
      {picked && (
        <WholeLine
          record={picked}
          onClose={() => {
            setPicked(undefined);
            focusList('logs');
          }}
        />
      )}
      {!follow && rows.length > 0 && (
        <button
          className="follow-btn btn btn-primary"
          onClick={() => {
            setFollow(true);
            virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
          }}
        >
          {unread > 0 ? `↓ ${formatCount(unread)} new · Follow (End)` : '↓ Follow (End)'}
        </button>
      )}
      {confirmClear && (
        <ConfirmDialog
          title="Clear the logs?"
          confirmLabel="Clear"
          onCancel={() => setConfirmClear(false)}
          onConfirm={() => {
            setConfirmClear(false);
            useLogs
              .getState()
              .clear()
              .catch((err) => useUi.getState().toast({ tone: 'error', title: 'Could not clear the logs', detail: describeError(err).message }));
          }}
        >
          <p>This empties the studio's log buffer for every window. Lines already exported stay in their files.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
