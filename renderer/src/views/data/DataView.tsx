// The Data view: snapshots of the project's key-value and blob data. Take one (with a note,
// and the dev.volumes you tick), restore one (it says what will be replaced first, and keeps
// the data before as a snapshot), compare two states with the values side by side, export
// and import archives, and load the seed data a project ships: offered while its data is
// empty, and asked about first (as a restore is) when it would replace data.
import { useEffect, useRef, useState } from 'react';
import { describeError, StudioApiError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import type { ComparisonView, DataChangeView, ImportPreview, SnapshotView } from '../../api/types.ts';
import { ConfirmDialog, Dialog, DialogActions, ErrorNotice } from '../../components/Dialog.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ValueDiff } from '../../components/ValueDiff.tsx';
import { formatBytes, formatDateTime } from '../../lib/format.ts';
import { bucketLabel, visibleName } from '../../lib/visible-text.ts';
import { focusAfterRender } from '../../lib/focus-after-render.ts';
import { modKey, useIsActive, useUi } from '../../stores/ui-store.ts';
import { isMod } from '../../shell/shortcuts.ts';
import { downloadSnapshot, inspectArchive, useData, type Side } from './data-store.ts';

/** Saves the snapshot's archive, saying what it could not hold (links, pipes, names not in UTF-8). */
async function exportSnapshot(name: string): Promise<void> {
  try {
    const leftOut = await downloadSnapshot(name);
    if (leftOut.length === 0) return;
    useUi.getState().toast({ tone: 'info', title: `Exported “${name}” without ${leftOut.length === 1 ? '1 entry' : `${leftOut.length} entries`}`, detail: `An archive cannot hold links, pipes or names that are not UTF-8: ${someNames(leftOut)}. The snapshot itself keeps them.` }, 10000);
  } catch (err) {
    toastError(`Could not export “${name}”`, err);
  }
}

function toastError(title: string, err: unknown) {
  const e = describeError(err);
  useUi.getState().toast({ tone: 'error', title, detail: e.hint ? `${e.message} ${e.hint}` : e.message }, 8000);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

function sizeOf(s: SnapshotView): number {
  return s.keyvalue.bytes + s.blobstore.bytes + s.volumes.reduce((sum, v) => sum + v.bytes, 0);
}

const KIND_LABEL: Record<SnapshotView['kind'], string> = { manual: 'taken', 'before-restore': 'before restore', imported: 'imported', seed: 'seed' };

function changeSummary(c: { added: number; removed: number; changed: number; volumes?: string[] }): string {
  const volumes = c.volumes?.length ? `the volume${c.volumes.length > 1 ? 's' : ''} ${c.volumes.join(', ')} whole (volumes are not compared)` : '';
  if (c.added + c.removed + c.changed === 0) return volumes || 'nothing, the data is the same';
  return [c.changed && `${plural(c.changed, 'value')} changed`, c.removed && `${plural(c.removed, 'key or object', 'keys and objects')} removed`, c.added && `${plural(c.added, 'key or object', 'keys and objects')} added`, volumes].filter(Boolean).join(', ');
}

function TakeDialog({ onClose }: { onClose: () => void }) {
  const volumes = useData((s) => s.view?.volumes ?? []);
  const [name, setName] = useState('');
  const [note, setNote] = useState('');
  const [ticked, setTicked] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const take = async () => {
    setBusy(true);
    try {
      const taken = await studio.call('snapshots.save', { name: name.trim(), ...(note ? { note } : {}), ...(ticked.length ? { volumes: ticked } : {}) });
      useUi.getState().toast({ tone: 'success', title: `Snapshot “${taken.name}” taken` });
      onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog title="Take a snapshot" onClose={onClose} footer={<DialogActions label={busy ? 'Taking…' : 'Take snapshot'} onConfirm={() => void take()} onCancel={onClose} />}>
      <label className="field">
        <span>Name</span>
        <input className="input" data-autofocus value={name} placeholder="3 boards, 2 users" onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && void take()} />
      </label>
      <label className="field">
        <span>Note</span>
        <textarea className="input" rows={2} value={note} placeholder={`What this data is for (optional; ${modKey}+Enter takes it)`} onChange={(e) => setNote(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && isMod(e) && void take()} />
      </label>
      {volumes.length > 0 && (
        <fieldset className="field volume-choices">
          <legend>Also keep these dev.volumes (copied)</legend>
          {volumes.map((v) => (
            <label key={v.guestPath} className="check-row">
              <input type="checkbox" checked={ticked.includes(v.guestPath)} onChange={(e) => setTicked(e.target.checked ? [...ticked, v.guestPath] : ticked.filter((g) => g !== v.guestPath))} />
              <code>{v.guestPath}</code> <span className="muted small">{v.hostPath}</span>
            </label>
          ))}
        </fieldset>
      )}
      <p className="muted small">The key-value and blob data is kept as it is now. Components keep running: their writes wait a moment while it is taken.</p>
      {error !== undefined && <ErrorNotice>{describeError(error).message}</ErrorNotice>}
    </Dialog>
  );
}

function RestoreDialog({ snapshot, onClose }: { snapshot: SnapshotView; onClose: () => void }) {
  const [would, setWould] = useState<ComparisonView>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    studio.call('snapshots.compare', { to: snapshot.name }).then(setWould, setError);
  }, [snapshot.name]);
  const restore = async () => {
    setBusy(true);
    try {
      const done = await studio.call('snapshots.restore', { name: snapshot.name });
      useUi.getState().toast({ tone: 'success', title: `Restored “${snapshot.name}”`, detail: `The data before is kept as “${done.before.name}”.` }, 6000);
      onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <ConfirmDialog title={`Restore “${snapshot.name}”?`} confirmLabel={busy ? 'Restoring…' : 'Restore'} onConfirm={() => void restore()} onCancel={onClose}>
      <p data-testid="restore-would">{would ? <>This replaces the current data: {changeSummary(would)}.</> : 'Looking at what it would replace…'}</p>
      <p className="muted small">Running components see the old data or the new, never a mix. The current data is kept as a snapshot “before restoring {snapshot.name}”, so you can undo this.</p>
      {error !== undefined && <ErrorNotice>{describeError(error).message}</ErrorNotice>}
    </ConfirmDialog>
  );
}

/** The seed data file as the project names it: `.wash/seed-data.tar.gz`. */
function seedFileName(file: string): string {
  return file.split(/[\\/]/).slice(-2).join('/');
}

/** “a”, “b” and 3 more: the first few names, the rest counted. */
function someNames(names: string[]): string {
  const shown = names.slice(0, 5).map((n) => `“${n}”`);
  const more = names.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : (shown[0] ?? '');
}

/** What loading the seed data replaces: the buckets and containers there are now, by name. */
function replacedData(buckets: string[], containers: string[]): string {
  const parts = [
    buckets.length > 0 && `the key-value bucket${buckets.length > 1 ? 's' : ''} ${someNames(buckets.map(bucketLabel))}`,
    containers.length > 0 && `the blob container${containers.length > 1 ? 's' : ''} ${someNames(containers.map(visibleName))}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' and ') : 'nothing: the data folders are empty now';
}

/** Loading the seed data over data that is there: what goes, and that it is kept first. */
function SeedDialog({ file, onClose }: { file: string; onClose: () => void }) {
  const [held, setHeld] = useState<{ buckets: string[]; containers: string[] }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    Promise.all([studio.call('kv.buckets', {}), studio.call('blob.containers', {})]).then(([buckets, containers]) => setHeld({ buckets, containers: containers.map((c) => c.name) }), setError);
  }, []);
  const load = async () => {
    setBusy(true);
    try {
      const done = await studio.call('snapshots.seed', { replace: true });
      useUi.getState().toast({ tone: 'success', title: 'Seed data loaded', detail: `The data before is kept as “${done.before.name}”.` }, 6000);
      onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <ConfirmDialog title="Load the seed data?" confirmLabel={busy ? 'Loading…' : 'Load seed data'} onConfirm={() => void load()} onCancel={onClose}>
      <p data-testid="seed-would">
        {held ? (
          <>
            This replaces the current data, {replacedData(held.buckets, held.containers)}, with the project's seed data (<code>{seedFileName(file)}</code>).
          </>
        ) : (
          'Looking at what it would replace…'
        )}
      </p>
      <p className="muted small">Running components see the old data or the new, never a mix. The current data is kept first as a snapshot “before restoring seed data”, so you can undo this.</p>
      {error !== undefined && <ErrorNotice>{describeError(error).message}</ErrorNotice>}
    </ConfirmDialog>
  );
}

function ImportDialog({ preview, onClose }: { preview: ImportPreview; onClose: () => void }) {
  const [name, setName] = useState(preview.nameTaken ? `${preview.snapshot.name} (imported)` : preview.snapshot.name);
  const [error, setError] = useState<unknown>();
  const cancel = () => {
    void studio.call('snapshots.discardImport', { staged: preview.staged });
    onClose();
  };
  const add = async () => {
    try {
      const added = await studio.call('snapshots.import', { staged: preview.staged, name: name.trim() });
      useUi.getState().toast({ tone: 'success', title: `Imported “${added.name}”`, detail: 'Restore it to use its data.' });
      onClose();
    } catch (err) {
      setError(err);
    }
  };
  const s = preview.snapshot;
  return (
    <Dialog title="Import a snapshot" onClose={cancel} footer={<DialogActions label="Import" onConfirm={() => void add()} onCancel={cancel} />}>
      <dl className="settings-grid">
        <dt>From</dt>
        <dd>
          project <strong>{s.project}</strong>, taken {formatDateTime(s.createdAt)}
        </dd>
        <dt>Holds</dt>
        <dd>
          {plural(s.keyvalue.files, 'key')} in {plural(s.keyvalue.folders, 'bucket')}, {plural(s.blobstore.files, 'object')} in {plural(s.blobstore.folders, 'container')} ({formatBytes(sizeOf(s))})
        </dd>
        {s.note && (
          <>
            <dt>Note</dt>
            <dd>{s.note}</dd>
          </>
        )}
        <dt>Checked</dt>
        <dd>every file against the archive's checksums</dd>
      </dl>
      <label className="field">
        <span>Name</span>
        <input className="input" data-autofocus value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      {preview.nameTaken && <div className="notice notice-warn">A snapshot named “{s.name}” exists; this one needs another name.</div>}
      <p data-testid="import-would">Importing changes no data. Restoring it later would replace: {changeSummary(preview.restoreWould)}.</p>
      {error !== undefined && <ErrorNotice>{describeError(error).message}</ErrorNotice>}
    </Dialog>
  );
}

function ChangeRow({ change, active, onClick }: { change: DataChangeView; active: boolean; onClick: () => void }) {
  const size = change.change === 'added' ? formatBytes(change.after ?? 0) : change.change === 'removed' ? formatBytes(change.before ?? 0) : `${formatBytes(change.before ?? 0)} → ${formatBytes(change.after ?? 0)}`;
  return (
    <button className={`change-row ${active ? 'active' : ''}`} data-change={change.change} onClick={onClick}>
      <span className="change-mark">
        <span aria-hidden="true">{change.change === 'added' ? '+' : change.change === 'removed' ? '−' : '~'}</span>
        <span className="visually-hidden">{change.change}</span>
      </span>
      <span className="change-store muted small">{change.store === 'keyvalue' ? 'kv' : 'blob'}</span>
      <span className="mono ellipsis" title={`${change.bucket} / ${change.key ?? ''}`}>
        <span className="muted">{change.bucket === '' ? '(root)' : change.bucket} / </span>
        {change.key ?? <em>whole {change.store === 'keyvalue' ? 'bucket' : 'container'}</em>}
      </span>
      <span className="muted small col-size">{change.key === undefined ? '' : size}</span>
    </button>
  );
}

/** A comparison asked for from a snapshot's row lands below the list: focus goes to its summary, so the keyboard and the eye follow. */
function revealComparison(): void {
  focusAfterRender('[data-testid="compare-summary"]', { reveal: true });
}

function Compare() {
  const { view, from, to, comparison, comparing, stale, compareError, change, values } = useData();
  const names = view?.snapshots.filter((s) => !s.problem).map((s) => s.name) ?? [];
  const label = (side: Side) => (side === '' ? 'live data' : `“${side}”`);
  const picker = (value: Side, onChange: (side: Side) => void, aria: string) => (
    <select className="input" aria-label={aria} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">Live data</option>
      {names.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </select>
  );
  return (
    <section className="card compare" aria-label="Compare">
      <div className="card-header">
        <h3>Compare</h3>
        <div className="compare-pickers">
          {picker(from, (side) => void useData.getState().compare(side, to), 'Compare from')}
          <span className="muted">→</span>
          {picker(to, (side) => void useData.getState().compare(from, side), 'Compare to')}
          <button className="btn btn-small" onClick={() => void useData.getState().compare(from, to)}>
            {comparing ? 'Comparing…' : 'Compare'}
          </button>
        </div>
      </div>
      {compareError && <ErrorNotice>{compareError}</ErrorNotice>}
      {comparison && (
        <>
          <div className="muted" data-testid="compare-summary" tabIndex={-1}>
            From {label(from)} to {label(to)}: {changeSummary(comparison)}
            {comparison.unchanged > 0 && ` (${plural(comparison.unchanged, 'value')} the same)`}
            {comparison.truncated && ` · the first ${comparison.changes.length.toLocaleString()} are listed`}
          </div>
          {stale && <div className="notice notice-warn small">The live data changed since; press Compare to see it as it is now.</div>}
          {comparison.changes.length > 0 && (
            <div className="compare-body">
              <div className="change-list" role="list" aria-label="Changes">
                {comparison.changes.slice(0, 2000).map((c) => (
                  <ChangeRow key={c.path} change={c} active={change?.path === c.path} onClick={() => void useData.getState().showChange(c)} />
                ))}
              </div>
              <div className="diff-pane">
                {!change && <div className="muted pad">Pick a change to see both values.</div>}
                {change && change.key === undefined && <div className="muted pad">The whole (empty) {change.store === 'keyvalue' ? 'bucket' : 'container'} was {change.change}.</div>}
                {change && change.key !== undefined && !values && <div className="muted pad">Loading…</div>}
                {change && values && <ValueDiff before={{ label: label(from), ...values.before }} after={{ label: label(to), ...values.after }} />}
              </div>
            </div>
          )}
        </>
      )}
    </section>
  );
}

export function DataView() {
  const { view, loadError } = useData();
  const active = useIsActive('data');
  const [taking, setTaking] = useState(false);
  const [restoring, setRestoring] = useState<SnapshotView>();
  const [deleting, setDeleting] = useState<SnapshotView>();
  const [preview, setPreview] = useState<ImportPreview>();
  const [seeding, setSeeding] = useState(false);
  /** The seed data file, while the dialog asks whether to load it over the data there is. */
  const [seedAsk, setSeedAsk] = useState<string>();
  const fileInput = useRef<HTMLInputElement>(null);
  useEffect(() => useData.getState().start(), []);
  // Shown again: the data may have changed in ways no event told (another studio's snapshot
  // folder, a restore from the command line), and the seed offer must say how it is now.
  useEffect(() => {
    if (active) void useData.getState().load();
  }, [active]);

  const importFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      setPreview(await inspectArchive(file));
    } catch (err) {
      toastError(`Could not import ${file.name}`, err);
    } finally {
      if (fileInput.current) fileInput.current.value = '';
    }
  };
  // Loads at once over empty data folders; the studio refuses if they are not empty any more
  // (written since the offer was shown), and the dialog then asks, as it does from the header.
  const loadSeed = async (file: string) => {
    setSeeding(true);
    try {
      await studio.call('snapshots.seed', {});
      useUi.getState().toast({ tone: 'success', title: 'Seed data loaded' });
    } catch (err) {
      if (StudioApiError.from(err).code === 'seed-would-replace') setSeedAsk(file);
      else toastError('Could not load the seed data', err);
    } finally {
      setSeeding(false);
    }
  };
  const seed = view?.seed;
  const snapshots = view?.snapshots ?? [];

  return (
    <div className="view-scroll data-view">
      <header className="view-header">
        <div>
          <h1 className="data-title">Data snapshots</h1>
          <p className="muted">
            Keep the key-value and blob data in a known state, put it back, compare it and share it.{' '}
            {view && (
              <>
                Kept in <code className="path">{view.folder}</code>.
              </>
            )}
          </p>
        </div>
        <div className="card-actions">
          {seed && !seed.dataEmpty && (
            <button className="btn" onClick={() => setSeedAsk(seed.file)} title={`Replace the data with the project's seed data (${seedFileName(seed.file)}), after asking`}>
              Load seed data…
            </button>
          )}
          <input ref={fileInput} type="file" accept=".gz,.tgz,application/gzip" hidden aria-label="Snapshot archive" onChange={(e) => void importFile(e.target.files?.[0])} />
          <button className="btn" onClick={() => fileInput.current?.click()}>
            Import…
          </button>
          <button className="btn btn-primary" onClick={() => setTaking(true)}>
            Take snapshot
          </button>
        </div>
      </header>
      {loadError && <ErrorNotice>{loadError}</ErrorNotice>}
      {seed?.dataEmpty && (
        <div className="notice seed-offer" role="status">
          <span>
            This project ships seed data (<code>{seedFileName(seed.file)}</code>) and its data folders are empty.
          </span>
          <button className="btn btn-primary btn-small" disabled={seeding} onClick={() => void loadSeed(seed.file)}>
            {seeding ? 'Loading…' : 'Load seed data'}
          </button>
        </div>
      )}
      <section className="card" aria-label="Snapshots">
        {snapshots.length === 0 ? (
          <EmptyState title="No snapshots yet" icon="◫">
            <p>Take one to keep the data as it is now; restoring it puts everything back. Files that do not change are shared, so snapshots are quick and cheap.</p>
          </EmptyState>
        ) : (
          <table className="snapshot-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Taken</th>
                <th>Holds</th>
                <th className="col-size">Size</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {snapshots.map((s) => (
                <tr key={s.name} data-snapshot={s.name}>
                  <td>
                    <div className="snapshot-name">
                      <strong>{s.name}</strong> <span className="state-pill">{KIND_LABEL[s.kind]}</span>
                    </div>
                    {s.note && <div className="muted small">{s.note}</div>}
                    {s.problem && <div className="bad small">Cannot be used: {s.problem}</div>}
                  </td>
                  <td className="col-date">{s.createdAt ? formatDateTime(s.createdAt) : '—'}</td>
                  <td className="small col-holds">
                    {plural(s.keyvalue.files, 'key')} in {plural(s.keyvalue.folders, 'bucket')}
                    <br />
                    {plural(s.blobstore.files, 'object')} in {plural(s.blobstore.folders, 'container')}
                    {s.volumes.length > 0 && (
                      <>
                        <br />
                        {plural(s.volumes.length, 'volume')}
                      </>
                    )}
                  </td>
                  <td className="col-size">{formatBytes(sizeOf(s))}</td>
                  <td>
                    <div className="row-actions">
                      <button className="btn btn-small" disabled={!!s.problem} onClick={() => setRestoring(s)}>
                        Restore
                      </button>
                      <button className="btn btn-small" disabled={!!s.problem} onClick={() => void useData.getState().compare(s.name, '').then(revealComparison)}>
                        Compare with live
                      </button>
                      <button className="btn btn-small" disabled={!!s.problem} onClick={() => void exportSnapshot(s.name)}>
                        Export
                      </button>
                      <button className="btn btn-small btn-danger-outline" onClick={() => setDeleting(s)}>
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {snapshots.length > 0 && <Compare />}
      {taking && <TakeDialog onClose={() => setTaking(false)} />}
      {restoring && <RestoreDialog snapshot={restoring} onClose={() => setRestoring(undefined)} />}
      {preview && <ImportDialog preview={preview} onClose={() => setPreview(undefined)} />}
      {seedAsk !== undefined && <SeedDialog file={seedAsk} onClose={() => setSeedAsk(undefined)} />}
      {deleting && (
        <ConfirmDialog
          title={`Delete “${deleting.name}”?`}
          confirmLabel="Delete"
          onCancel={() => setDeleting(undefined)}
          onConfirm={() => {
            const name = deleting.name;
            setDeleting(undefined);
            studio.call('snapshots.delete', { name }).catch((err: unknown) => toastError(`Could not delete “${name}”`, err));
          }}
        >
          <p>The snapshot goes; the live data stays as it is.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
