// The Traffic view: every request the gateway served, newest first, filtered and paged in the
// studio process and virtualized here (100k rows scroll like 100); a detail pane with the
// playground's viewers; replays with their diffs; HAR out and in; and the Checks tab.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import type { TrafficOrigin, TrafficSummaryView } from '../../api/types.ts';
import { ConfirmDialog } from '../../components/Dialog.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { downloadBlob } from '../../lib/download.ts';
import { formatBytes, formatCount, formatMs, formatTime } from '../../lib/format.ts';
import { onTabListKeyDown, tabStop } from '../../lib/tab-list-keyboard.ts';
import { listRowProps, useListKeyboard, type ListRowState } from '../../lib/use-list-keyboard.ts';
import { useChecks } from '../../stores/checks-store.ts';
import { useStudio, versionNoun } from '../../stores/studio-store.ts';
import { useIsActive, useUi } from '../../stores/ui-store.ts';
import { ChecksPanel } from './ChecksPanel.tsx';
import { ReplayPanel } from './ReplayPanel.tsx';
import { TrafficDetail } from './TrafficDetail.tsx';
import { filterArgs, originTag, PAGE, useTraffic } from './traffic-store.ts';
import './traffic.css';

const ROW = 26;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const CLASSES: [number, string][] = [
  [2, '2xx'],
  [3, '3xx'],
  [4, '4xx'],
  [5, '5xx'],
  [0, 'none'],
];
const ORIGINS: [TrafficOrigin, string][] = [
  ['client', 'clients'],
  ['playground', 'HTTP view'],
  ['replay', 'replays'],
  ['check', 'checks'],
  ['imported', 'imported'],
];

interface TrafficRowProps extends ListRowState {
  row: TrafficSummaryView | undefined;
  start: number;
  active: boolean;
  checked: boolean;
}

const TrafficRow = memo(function TrafficRow({ row, start, active, checked, ...place }: TrafficRowProps) {
  const { index } = place;
  const keyboardProps = listRowProps(place);
  if (!row) {
    return (
      <div className="traffic-row loading" {...keyboardProps} role="row" aria-rowindex={index + 2} style={{ transform: `translateY(${start}px)` }}>
        <span className="muted" role="gridcell">
          …
        </span>
      </div>
    );
  }
  const statusClass = row.status === undefined ? 0 : Math.floor(row.status / 100);
  return (
    <div
      className={`traffic-row ${active ? 'active' : ''}`}
      {...keyboardProps}
      style={{ transform: `translateY(${start}px)` }}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={active}
      data-id={row.id}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('input')) return;
        void useTraffic.getState().open(row.id);
      }}
    >
      {/* Not a Tab stop of its own: the list is one, and Space toggles the active row's box. */}
      <span className="col-check" role="gridcell">
        <input type="checkbox" tabIndex={-1} aria-label={`Select ${row.method} ${row.path}`} checked={checked} onChange={(e) => useTraffic.getState().toggle(row.id, e.target.checked)} />
      </span>
      <span className="col-time" role="gridcell">
        {formatTime(row.time)}
      </span>
      <span className="col-method" role="gridcell">
        <span className="method-badge">{row.method}</span>
      </span>
      <span className="col-path mono" role="gridcell" title={row.path}>
        {row.path}
      </span>
      <span className="col-status" role="gridcell">
        <span className="status-pill" data-class={statusClass}>
          {row.status ?? '—'}
        </span>
      </span>
      <span className="col-num col-duration" role="gridcell">
        {formatMs(row.durationMs)}
      </span>
      <span className="col-num col-size" role="gridcell">
        {formatBytes(row.responseBytes)}
        {row.cut && <span title="A body was cut at the capture's limit"> ✂</span>}
      </span>
      <span className="col-build" role="gridcell">
        {row.build ?? ''}
      </span>
      <span className="col-flags" role="gridcell">
        {row.origin !== 'client' && <span className="origin-tag">{originTag(row.origin)}</span>}
        {row.logCount > 0 && <span className="logs-tag" title={`${row.logCount} log lines`}>≡ {row.logCount}</span>}
      </span>
    </div>
  );
});

function RequestsTab() {
  const { filter, total, pages, maxId, fresh, size, capacity, builds, loading, error, selected, current, detail, report, replaying, settings, ignoredHeaders } = useTraffic();
  const noun = useStudio((s) => versionNoun(s.project));
  const parent = useRef<HTMLDivElement>(null);
  const importInput = useRef<HTMLInputElement>(null);
  const [atTop, setAtTop] = useState(true);
  const [confirmClear, setConfirmClear] = useState(false);
  const [data, setData] = useState<'live' | 'copy'>('live');
  const [ignoredText, setIgnoredText] = useState(ignoredHeaders.join(', '));
  useEffect(() => setIgnoredText(ignoredHeaders.join(', ')), [ignoredHeaders]);

  const virtualizer = useVirtualizer({ count: total, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 20 });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    for (let page = Math.floor(first / PAGE); page <= Math.floor(last / PAGE); page++) void useTraffic.getState().loadPage(page);
  }, [first, last, pages]);
  const keyboard = useListKeyboard({
    count: total,
    virtualizer,
    rowHeight: ROW,
    resetKey: JSON.stringify(filter),
    onOpen: (index) => {
      const row = useTraffic.getState().row(index);
      if (row) void useTraffic.getState().open(row.id);
    },
    onToggle: (index) => {
      const row = useTraffic.getState().row(index);
      if (row) useTraffic.getState().toggle(row.id, !useTraffic.getState().selected.has(row.id));
    },
  });

  // The keyboard's row is a request, not a place: when the list is loaded again with new
  // requests on top, the row moves down with its request (as Logs do with older lines).
  const keyed = useRef<{ id: number; pages: typeof pages; maxId: number | undefined; total: number }>(undefined);
  useLayoutEffect(() => {
    const index = keyboard.activeIndex;
    const prev = keyed.current;
    if (index === undefined) {
      keyed.current = undefined;
      return;
    }
    if (prev && prev.pages !== pages) {
      const now = indexOf(pages, prev.id);
      // Not on a loaded page (the reload loads the first): the requests that came in above it.
      const newer = pages.get(0)?.filter((r) => prev.maxId !== undefined && r.id > prev.maxId).length ?? 0;
      const by = now !== undefined ? now - index : newer >= PAGE ? Math.max(newer, total - prev.total) : newer;
      keyed.current = { ...prev, pages, maxId, total };
      if (by !== 0) {
        keyboard.shift(by);
        return;
      }
    }
    const row = useTraffic.getState().row(index);
    keyed.current = row ? { id: row.id, pages, maxId, total } : prev && { ...prev, pages, maxId, total };
  }, [pages, keyboard.activeIndex]);

  // At the top, new requests join the list as they come; further down, they wait (counted).
  useEffect(() => {
    if (fresh === 0 || !atTop) return;
    const timer = setTimeout(() => void useTraffic.getState().refresh(), 300);
    return () => clearTimeout(timer);
  }, [fresh, atTop]);

  const exportHar = async () => {
    try {
      const ids = [...selected];
      const result = await studio.call('traffic.exportHar', ids.length > 0 ? { ids } : { filter: filterArgs(filter) });
      downloadBlob(result.har, `traffic-${new Date().toISOString().replace(/[:.]/g, '-')}.har`, 'application/json');
      useUi.getState().toast({ tone: 'success', title: `Exported ${result.entries} request${result.entries === 1 ? '' : 's'} as HAR`, ...(result.omittedBodies > 0 ? { detail: `${result.omittedBodies} bodies were left out to keep the file under 32 MiB.` } : {}) });
    } catch (err) {
      useUi.getState().toast({ tone: 'error', title: 'Could not export HAR', detail: describeError(err).message });
    }
  };
  const importHar = async (file: File) => {
    if (file.size > MAX_HAR_BYTES) {
      useUi.getState().toast({ tone: 'error', title: 'Could not import HAR', detail: `${file.name} is ${formatBytes(file.size)}; the studio imports HAR files up to ${formatBytes(MAX_HAR_BYTES)}. Save only the requests you need as HAR (or leave their bodies out) and import that.` }, 10_000);
      return;
    }
    try {
      const result = await studio.call('traffic.importHar', { har: await file.text() });
      useUi.getState().toast({ tone: 'success', title: `Imported ${result.imported} requests`, detail: result.skipped.length > 0 ? `Left out: ${result.skipped.slice(0, 3).join('; ')}` : 'Select them and press Replay to send them to your component.' });
      useTraffic.getState().setFilter({ origins: ['imported'] });
    } catch (err) {
      useUi.getState().toast({ tone: 'error', title: 'Could not import HAR', detail: describeError(err).message }, 10_000);
    }
  };

  const ids = [...selected];
  return (
    <div className="traffic-layout">
      <div className="list-pane traffic-list-pane">
        <div className="traffic-filters" role="group" aria-label="Filters">
          <input className="input search-box" type="search" placeholder="Filter by path" aria-label="Filter by path" value={filter.text} onChange={(e) => useTraffic.getState().setFilter({ text: e.target.value })} />
          <select className="input" aria-label="Filter by method" value={filter.method} onChange={(e) => useTraffic.getState().setFilter({ method: e.target.value })}>
            <option value="">Any method</option>
            {METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
          <div className="segmented" role="group" aria-label="Status">
            {CLASSES.map(([value, label]) => {
              const on = filter.statusClasses.includes(value);
              return (
                <button key={value} aria-pressed={on} className={on ? 'active' : ''} onClick={() => useTraffic.getState().setFilter({ statusClasses: on ? filter.statusClasses.filter((c) => c !== value) : [...filter.statusClasses, value] })}>
                  {label}
                </button>
              );
            })}
          </div>
          <select className="input" aria-label={`Filter by ${noun}`} value={filter.build ?? ''} onChange={(e) => useTraffic.getState().setFilter({ build: e.target.value === '' ? undefined : Number(e.target.value) })}>
            <option value="">Any {noun}</option>
            {builds.map((b) => (
              <option key={b} value={b}>
                {noun} {b}
              </option>
            ))}
          </select>
          <select className="input" aria-label="Filter by origin" value={filter.origins[0] ?? ''} onChange={(e) => useTraffic.getState().setFilter({ origins: e.target.value ? [e.target.value as TrafficOrigin] : [] })}>
            <option value="">Any origin</option>
            {ORIGINS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <label className="check-row">
            <input type="checkbox" checked={filter.hasLogs} onChange={(e) => useTraffic.getState().setFilter({ hasLogs: e.target.checked })} /> has logs
          </label>
        </div>
        <div className="traffic-actions">
          <button className="btn btn-primary" disabled={ids.length === 0 || replaying} onClick={() => void useTraffic.getState().replay({ ids }, data)}>
            {replaying ? 'Replaying…' : `Replay ${ids.length > 0 ? ids.length : ''}`}
          </button>
          <button
            className="btn"
            disabled={filter.build === undefined || replaying}
            onClick={() => filter.build !== undefined && void useTraffic.getState().replay({ build: filter.build }, data)}
            title={filter.build === undefined ? `Pick a ${noun} in the filters to replay every request clients made to it` : `Replays the requests clients made to that ${noun}`}
          >
            {filter.build === undefined ? `Replay a whole ${noun}` : `Replay all of ${noun} ${filter.build}`}
          </button>
          <select className="input" aria-label="Replay data" value={data} onChange={(e) => setData(e.target.value as 'live' | 'copy')} title="Requests that change data (POST, PUT, DELETE) change the live stores unless they run on a copy">
            <option value="live">on live data</option>
            <option value="copy">on a throwaway copy</option>
          </select>
          <button className="btn" disabled={ids.length === 0} onClick={() => void useTraffic.getState().pin(ids, 'exact')}>
            {ids.length === 0 ? 'Pin as checks' : `Pin ${ids.length} as check${ids.length === 1 ? '' : 's'}`}
          </button>
          {ids.length > 0 && (
            <button className="btn btn-small" onClick={() => useTraffic.getState().clearSelection()}>
              Clear selection
            </button>
          )}
          <span className="toolbar-spacer" />
          <label className="ignored-headers" title="Response headers a replay does not compare">
            Ignore headers
            <input
              className="input"
              aria-label="Ignored headers"
              value={ignoredText}
              onChange={(e) => setIgnoredText(e.target.value)}
              onBlur={() =>
                useTraffic.getState().setIgnoredHeaders(
                  ignoredText
                    .split(',')
                    .map((h) => h.trim().toLowerCase())
                    .filter(Boolean),
                )
              }
            />
          </label>
        </div>
        <div className="pane-status" role="status">
          {loading ? 'Loading…' : error ? error : `${formatCount(total)} of ${formatCount(size)} requests${capacity ? ` (the newest ${formatCount(capacity)} are kept)` : ''}`}
          {settings && !settings.enabled && <span className="origin-tag warn"> capture paused</span>}
          {fresh > 0 && !atTop && (
            <button className="btn btn-small" onClick={() => void useTraffic.getState().refresh().then(() => parent.current?.scrollTo({ top: 0 }))}>
              {fresh} new
            </button>
          )}
        </div>
        {total === 0 && !loading ? (
          <EmptyState title={size === 0 ? 'No requests yet' : 'Nothing matches'}>
            {size === 0 ? 'Every request the gateway serves shows up here: from curl, a browser, the HTTP view.' : 'Change the filters to see more.'}
          </EmptyState>
        ) : (
          <>
            {/* Outside the scrolling list so it stays put; the grid owns it, so it heads the columns for assistive technology too. */}
            <div className="traffic-row header" role="row" id="traffic-columns" aria-rowindex={1}>
              <span className="col-check" role="columnheader">
                <span className="visually-hidden">Selected</span>
              </span>
              <span className="col-time" role="columnheader">Time</span>
              <span className="col-method" role="columnheader">Method</span>
              <span className="col-path" role="columnheader">Path</span>
              <span className="col-status" role="columnheader">Status</span>
              <span className="col-num col-duration" role="columnheader" title="From the request's arrival to the end of its answer">
                Duration
              </span>
              <span className="col-num col-size" role="columnheader">Size</span>
              <span className="col-build" role="columnheader">{noun === 'build' ? 'Build' : 'Version'}</span>
              <span className="col-flags" role="columnheader">
                <span className="visually-hidden">Tags</span>
              </span>
            </div>
            <div className="virtual-list traffic-list" ref={parent} role="grid" aria-label="Requests" aria-owns="traffic-columns" aria-rowcount={total + 1} {...keyboard.listProps} onScroll={() => setAtTop((parent.current?.scrollTop ?? 0) < ROW)}>
              <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
                {items.map((item) => {
                  const row = useTraffic.getState().row(item.index);
                  return (
                    <TrafficRow
                      key={item.key}
                      row={row}
                      start={item.start}
                      active={row !== undefined && row.id === current}
                      checked={row !== undefined && selected.has(row.id)}
                      {...keyboard.rowState(item.index)}
                    />
                  );
                })}
              </div>
            </div>
          </>
        )}
        <div className="traffic-foot">
          <button className="btn" onClick={() => void exportHar()}>
            Export HAR{ids.length > 0 ? ` (${ids.length})` : ''}
          </button>
          <button className="btn" onClick={() => importInput.current?.click()}>
            Import HAR…
          </button>
          <input
            ref={importInput}
            type="file"
            accept=".har,application/json"
            hidden
            aria-label="HAR file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void importHar(file);
            }}
          />
          <span className="toolbar-spacer" />
          {settings && (
            <label className="check-row" title={`Bodies are kept up to ${formatBytes(settings.bodyLimit)} each`}>
              <input type="checkbox" checked={settings.enabled} onChange={(e) => void useTraffic.getState().configure({ enabled: e.target.checked })} /> Capture
            </label>
          )}
          <button className="btn btn-danger-outline" onClick={() => setConfirmClear(true)} disabled={size === 0}>
            Clear
          </button>
        </div>
      </div>
      {report ? (
        <ReplayPanel report={report} />
      ) : detail ? (
        <TrafficDetail key={detail.record.id} detail={detail} />
      ) : (
        <div className="detail-pane traffic-placeholder">
          <EmptyState title="Pick a request">Its headers, bodies, timing, log lines and outbound calls show here.</EmptyState>
        </div>
      )}
      {confirmClear && (
        <ConfirmDialog
          title="Clear the captured traffic?"
          confirmLabel="Clear"
          danger
          onConfirm={() => {
            setConfirmClear(false);
            void useTraffic.getState().clear();
          }}
          onCancel={() => setConfirmClear(false)}
        >
          Every captured request of this project goes, from the list and from .wash/studio/traffic. Checks stay.
        </ConfirmDialog>
      )}
    </div>
  );
}

/** Where the request `id` is in the loaded pages, if it is on one. */
function indexOf(pages: Map<number, TrafficSummaryView[]>, id: number): number | undefined {
  for (const [page, records] of pages) {
    const at = records.findIndex((r) => r.id === id);
    if (at >= 0) return page * PAGE + at;
  }
  return undefined;
}

/** traffic.importHar's limit (runtime/studio/command-args.ts): said before a file is read and sent. */
const MAX_HAR_BYTES = 256 * 2 ** 20;

export function TrafficView() {
  const tab = useChecks((s) => s.tab);
  const run = useChecks((s) => s.run);
  const active = useIsActive('traffic');
  useEffect(() => {
    useTraffic.getState().start();
    useChecks.getState().start();
  }, []);
  useEffect(() => {
    if (active) void useChecks.getState().load();
  }, [active]);
  return (
    <div className="view-fill traffic-view">
      <header className="toolbar">
        <h1 className="toolbar-title">Traffic</h1>
        <div className="segmented" role="tablist" aria-label="Traffic" onKeyDown={onTabListKeyDown}>
          <button role="tab" aria-selected={tab === 'requests'} tabIndex={tabStop(tab === 'requests')} className={tab === 'requests' ? 'active' : ''} onClick={() => useChecks.getState().setTab('requests')}>
            Requests
          </button>
          <button role="tab" aria-selected={tab === 'checks'} tabIndex={tabStop(tab === 'checks')} className={tab === 'checks' ? 'active' : ''} onClick={() => useChecks.getState().setTab('checks')}>
            Checks{run && run.results.length > 0 ? ` ${run.passed}/${run.results.length}` : ''}
          </button>
        </div>
      </header>
      {tab === 'requests' ? <RequestsTab /> : <ChecksPanel />}
    </div>
  );
}
