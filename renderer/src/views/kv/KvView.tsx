// Key-value browser: buckets, keys (prefix filter and paging on the Node side, virtualized),
// the value shown by what it is, edited in Monaco, created, incremented and deleted.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type MutableRefObject } from 'react';
import { describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import { CodeEditor } from '../../components/CodeEditor.tsx';
import { ConfirmDialog, Dialog, DialogActions, dialogShown, ErrorNotice, PromptDialog } from '../../components/Dialog.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { NameText } from '../../components/NameText.tsx';
import { ValueViewer } from '../../components/ValueViewer.tsx';
import { base64ToBytes, bytesToBase64, counterBytes, decodeText, readCounter, textToBase64 } from '../../lib/bytes.ts';
import { detectContent } from '../../lib/content-kind.ts';
import { formatBytes, formatCount } from '../../lib/format.ts';
import { downloadBlob } from '../../lib/download.ts';
import { useListKeyboard } from '../../lib/use-list-keyboard.ts';
import { bucketLabel, revealHidden, visibleName } from '../../lib/visible-text.ts';
import { focusAfterRender } from '../../lib/focus-after-render.ts';
import { useStudio } from '../../stores/studio-store.ts';
import { openProjectIsQr } from '../../lib/qr-example.ts';
import { isMod } from '../../shell/shortcuts.ts';
import { modKey, useIsActive, useUi } from '../../stores/ui-store.ts';
import { useKv } from './kv-store.ts';

const ROW = 28;
/** wash keeps the bucket named "" in the key-value folder itself (a component that opens ""). */
const ROOT_BUCKET_TITLE = 'The bucket named "": its keys are the files directly in the key-value folder, as wash keeps them';

/** What deleting a bucket takes with it; the key list's total counts the whole bucket whatever the prefix, and is unknown until it loads. */
function keysThatGo(total: number | undefined): string {
  if (total === undefined) return 'Every key is';
  if (total === 0) return 'It holds no key; its folder is';
  return total === 1 ? 'Its one key is' : `All its ${formatCount(total)} keys are`;
}

function bucketFolder(kvPath: string, bucket: string): string {
  return bucket === '' ? `${kvPath}/` : `${kvPath}/${bucket}/`;
}

function toastError(title: string, err: unknown) {
  const e = describeError(err);
  useUi.getState().toast({ tone: 'error', title, detail: e.hint ? `${e.message} ${e.hint}` : e.message }, 8000);
}

function KeyList() {
  const { keys, cursor, total, listing, listError, selected, prefix, bucket } = useKv();
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: keys.length, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 20 });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (cursor !== undefined && !listing && lastIndex >= keys.length - 50) void useKv.getState().list(false);
  }, [lastIndex, keys.length, cursor, listing]);
  const selectedIndex = selected ? keys.indexOf(selected.key) : -1;
  const keyboard = useListKeyboard({
    count: keys.length,
    virtualizer,
    rowHeight: ROW,
    resetKey: `${bucket}\0${prefix}`,
    pickedIndex: selectedIndex >= 0 ? selectedIndex : undefined,
    onOpen: (index) => void useKv.getState().selectKey(keys[index]),
    loadRest: () => useKv.getState().listRest(),
  });

  return (
    <div className="list-pane" aria-label="Keys">
      <div className="pane-toolbar">
        <input className="input" type="search" placeholder="Filter by prefix" aria-label="Key prefix" value={prefix} onChange={(e) => useKv.getState().setPrefix(e.target.value)} />
      </div>
      <div className="pane-status muted small" data-testid="key-count">
        {listError ? (
          <span className="bad">{listError}</span>
        ) : prefix ? (
          // `total` counts the whole bucket: with a prefix, say what is known.
          `${formatCount(keys.length)}${cursor ? '+' : ''} key${keys.length === 1 ? '' : 's'} starting with “${prefix}”`
        ) : total !== undefined ? (
          // All of them shown: just the count ("1 key", not "1 of 1 keys").
          keys.length === total ? `${formatCount(total)} key${total === 1 ? '' : 's'}` : `${formatCount(keys.length)} of ${formatCount(total)} keys`
        ) : (
          `${formatCount(keys.length)}${cursor ? '+' : ''} keys`
        )}
        {listing && ' · loading…'}
      </div>
      <div className="virtual-list" ref={parent} role="listbox" aria-label="Key list" {...keyboard.listProps}>
        {keys.length === 0 && !listing ? (
          <EmptyState title={prefix ? 'No key with this prefix' : 'This bucket is empty'} icon="⚷">
            <p>{prefix ? 'Try a shorter prefix.' : `Components write keys here through wasi:keyvalue; you can also add one with "New key".`}</p>
          </EmptyState>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((item) => {
              const key = keys[item.index]!;
              return (
                <div
                  key={key}
                  {...keyboard.rowProps(item.index)}
                  role="option"
                  aria-selected={selected?.key === key}
                  className={`list-row ${selected?.key === key ? 'active' : ''}`}
                  style={{ transform: `translateY(${item.start}px)`, height: ROW }}
                  title={visibleName(key)}
                  onClick={() => void useKv.getState().selectKey(key)}
                >
                  <span className="mono ellipsis">
                    <NameText name={key} />
                  </span>
                </div>
              );
            })}
          </div>
        )}
      </div>
      {bucket === undefined && null}
    </div>
  );
}

/** The view's Ctrl/⌘+S: what saves the value being edited, set by the value pane while it edits one. */
type SaveShortcut = MutableRefObject<(() => void) | undefined>;

function ValuePane({ saveShortcut }: { saveShortcut: SaveShortcut }) {
  const { selected, bucket, editing } = useKv();
  const [draft, setDraft] = useState('');
  const [saving, setSaving] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [delta, setDelta] = useState('1');
  const [jsonError, setJsonError] = useState<string>();
  const kvPath = useStudio((s) => s.project?.keyvaluePath);
  // Gone with the pane: Ctrl+S must not save an edit nobody sees any more.
  useEffect(() => () => void (saveShortcut.current = undefined), [saveShortcut]);

  // Only part of a value over PREVIEW_BYTES is here: it is shown, not edited, or saving would cut it.
  const whole = selected?.bytes !== undefined && selected.size <= selected.bytes.length ? selected.bytes : undefined;
  const text = useMemo(() => (whole ? decodeText(whole) : undefined), [whole]);
  const kind = useMemo(() => (whole ? detectContent(whole).kind : undefined), [whole]);
  // A whole number in decimal text is how wash (and wasi:keyvalue/atomics here) keeps a counter.
  const counter = whole ? readCounter(whole) : undefined;

  saveShortcut.current = undefined;
  if (bucket === undefined) return null;
  if (!selected)
    return (
      <div className="detail-pane">
        <EmptyState title="Pick a key" icon="⚷">
          <p>Its value appears here: text, JSON (pretty), images as pictures and anything else as hex. You can edit it, increment a counter or delete it.</p>
        </EmptyState>
      </div>
    );

  const save = async (force = false) => {
    let value: string;
    if (counter !== undefined) {
      if (!/^\s*\d+\s*$/.test(draft) || BigInt(draft.trim()) > 2n ** 64n - 1n) {
        setJsonError(undefined);
        useUi.getState().toast({ tone: 'error', title: 'A counter is a whole number from 0 to 2^64-1', detail: `"${draft}" is not one.` });
        return;
      }
      value = bytesToBase64(counterBytes(BigInt(draft.trim())));
    } else value = textToBase64(draft);
    if (counter === undefined && kind === 'json' && !force) {
      try {
        JSON.parse(draft);
      } catch (err) {
        setJsonError((err as Error).message);
        return;
      }
    }
    setSaving(true);
    try {
      await studio.call('kv.set', { bucket, key: selected.key, value });
      useKv.getState().setEditing(false);
      setJsonError(undefined);
      await useKv.getState().reloadValue();
      useUi.getState().toast({ tone: 'success', title: `Saved ${selected.key}` });
    } catch (err) {
      toastError(`Could not save ${selected.key}`, err);
    } finally {
      setSaving(false);
    }
  };

  if (editing) saveShortcut.current = () => void save();

  const increment = async () => {
    const n = Number(delta);
    if (!Number.isInteger(n)) {
      useUi.getState().toast({ tone: 'error', title: 'The increment must be a whole number', detail: `"${delta}" is not one.` });
      return;
    }
    try {
      const result = await studio.call('kv.increment', { bucket, key: selected.key, delta: n });
      useUi.getState().toast({ tone: 'success', title: `${selected.key} is now ${result.value}` });
      await useKv.getState().reloadValue();
    } catch (err) {
      toastError(`Could not increment ${selected.key}`, err);
    }
  };

  const remove = async () => {
    setConfirmDelete(false);
    try {
      await studio.call('kv.delete', { bucket, key: selected.key });
      const { keys, total } = useKv.getState();
      if (keys.includes(selected.key)) useKv.setState({ keys: keys.filter((k) => k !== selected.key), total: total !== undefined ? total - 1 : undefined });
      useKv.setState({ selected: undefined });
      useUi.getState().toast({ tone: 'success', title: `Deleted ${selected.key}` });
    } catch (err) {
      toastError(`Could not delete ${selected.key}`, err);
    }
  };

  const download = async () => {
    const name = selected.key.replace(/[\\/:*?"<>|]/g, '_');
    if (whole) return downloadBlob(whole as BlobPart, name);
    try {
      const value = await studio.call('kv.get', { bucket, key: selected.key });
      if (value) downloadBlob(base64ToBytes(value.value) as BlobPart, name);
      else useUi.getState().toast({ tone: 'error', title: `${visibleName(selected.key)} no longer exists` });
    } catch (err) {
      toastError(`Could not download ${selected.key}`, err);
    }
  };

  const isCounter = counter !== undefined || (text !== undefined && /^-?\d+$/.test(text.trim()));
  return (
    <div className="detail-pane" aria-label="Value">
      <header className="detail-header">
        <div className="detail-title">
          <h2 className="mono ellipsis" title={visibleName(selected.key)}>
            <NameText name={selected.key} />
          </h2>
          <span className="muted small" title={kvPath ? bucketFolder(kvPath, bucket) : undefined}>
            {selected.loading && !selected.bytes ? 'Loading…' : formatBytes(selected.size)}
            {kvPath ? ` · ${bucketFolder(kvPath, bucket)}` : ''}
          </span>
        </div>
        <div className="detail-actions">
          {isCounter && !editing && (
            <span className="increment">
              <input className="input input-narrow" aria-label="Increment by" value={delta} onChange={(e) => setDelta(e.target.value)} />
              <button className="btn" onClick={() => void increment()} title="Add this number to the value, atomically">
                + Increment
              </button>
            </span>
          )}
          {!editing && (text !== undefined || counter !== undefined) && (
            <button
              className="btn"
              data-edit-value=""
              onClick={() => {
                setDraft(counter !== undefined ? counter.toString() : (text ?? ''));
                setJsonError(undefined);
                useKv.getState().setEditing(true);
              }}
            >
              ✎ Edit
            </button>
          )}
          {!editing && selected.bytes && (
            <button className="btn" onClick={() => void download()} title="Save the raw value as a file">
              ↓ Download
            </button>
          )}
          {editing && (
            <>
              <button className="btn" onClick={() => useKv.getState().setEditing(false)}>
                Cancel
              </button>
              <button className="btn btn-primary" disabled={saving} onClick={() => void save()} title={`Save (${modKey}+S)`}>
                {saving ? 'Saving…' : 'Save'}
              </button>
            </>
          )}
          <button className="btn btn-danger-outline" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        </div>
      </header>
      {selected.changedElsewhere && (
        <div className="notice notice-warn">
          This key changed on disk while you were editing.{' '}
          <button className="link-btn" onClick={() => void useKv.getState().reloadValue()}>
            Load the new value
          </button>{' '}
          (drops your edits) or save to overwrite it.
        </div>
      )}
      {jsonError && (
        <ErrorNotice>
          This is no longer valid JSON: {jsonError}{' '}
          <button className="link-btn" onClick={() => void save(true)}>
            Save as text anyway
          </button>
        </ErrorNotice>
      )}
      <div className="detail-body">
        {selected.loading && <div className="muted pad">Loading…</div>}
        {selected.error && <div className="notice notice-error">{selected.error}</div>}
        {selected.missing && <div className="notice notice-warn">This key no longer exists (deleted here or by another program).</div>}
        {editing && counter !== undefined && (
          <label className="field counter-edit">
            <span>Counter (saved as decimal text, as wash keeps counters)</span>
            <input
              className="input mono"
              aria-label="Counter value"
              data-autofocus
              autoFocus
              inputMode="numeric"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                // Ctrl/⌘+S saves here as in the value editor (and the browser must not save the page).
                const saveKey = (e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's';
                if (saveKey) e.preventDefault();
                if (e.key === 'Enter' || saveKey) void save();
                if (e.key === 'Escape') {
                  useKv.getState().setEditing(false);
                  // The field goes: the focus goes back to the Edit button that opened it.
                  focusAfterRender('[data-edit-value]');
                }
              }}
            />
          </label>
        )}
        {editing && counter === undefined && <CodeEditor value={draft} language={kind === 'json' ? 'json' : 'plaintext'} onChange={setDraft} onSave={() => void save()} label="Value editor" />}
        {!editing && counter !== undefined && (
          <div className="counter-card" aria-label="Counter">
            <div className="counter-value" data-testid="counter-value">
              {counter.toLocaleString('en-US')}
            </div>
            <div className="muted small">a counter: an unsigned 64-bit number in decimal text (how wasi:keyvalue/atomics and wash store it)</div>
          </div>
        )}
        {!editing && selected.bytes && <ValueViewer bytes={selected.bytes} name={selected.key} totalSize={selected.size} label="Key value" rest="Download it to see all of it; a value this large is not edited here." />}
      </div>
      {confirmDelete && (
        <ConfirmDialog title={`Delete ${visibleName(selected.key)}?`} confirmLabel="Delete" onCancel={() => setConfirmDelete(false)} onConfirm={() => void remove()}>
          <p>
            The key{' '}
            <code>
              <NameText name={selected.key} />
            </code>{' '}
            and its value ({formatBytes(selected.size)}) are removed from bucket <code>{bucketLabel(bucket)}</code>. Components reading it will find nothing.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function NewKeyDialog({ bucket, onClose }: { bucket: string; onClose: () => void }) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string>();
  const create = async () => {
    if (!key) return setError('A key needs a name.');
    try {
      const existing = await studio.call('kv.get', { bucket, key, limit: 1 });
      if (existing) return setError(`"${key}" already exists in ${bucketLabel(bucket)}. Pick it in the list to edit it.`);
      await studio.call('kv.set', { bucket, key, value: textToBase64(value) });
      onClose();
      await useKv.getState().list(true);
      await useKv.getState().selectKey(key);
    } catch (err) {
      const e = describeError(err);
      setError(e.hint ? `${e.message} ${e.hint}` : e.message);
    }
  };
  return (
    <Dialog
      title={`New key in ${bucketLabel(bucket)}`}
      onClose={onClose}
      footer={<DialogActions label="Create" onConfirm={() => void create()} onCancel={onClose} />}
    >
      <label className="field">
        <span>Key</span>
        <input className="input mono" data-autofocus value={key} onChange={(e) => setKey(e.target.value)} placeholder="e.g. settings/theme" />
      </label>
      <label className="field">
        <span>Value (text)</span>
        <textarea className="input mono" rows={6} value={value} onChange={(e) => setValue(e.target.value)} placeholder='e.g. 0, hello or {"json": true}' />
      </label>
      {error && <ErrorNotice>{error}</ErrorNotice>}
    </Dialog>
  );
}

export function KvView() {
  const { buckets, bucketsLoaded, bucketsError, bucket, total } = useKv();
  const project = useStudio((s) => s.project);
  const qr = useStudio(openProjectIsQr);
  const [newKey, setNewKey] = useState(false);
  const [newBucket, setNewBucket] = useState(false);
  const [deleteBucket, setDeleteBucket] = useState(false);
  const saveShortcut: SaveShortcut = useRef(undefined);
  const active = useIsActive('kv');
  useEffect(() => useKv.getState().start(), []);

  // Ctrl/⌘+S saves the value being edited from anywhere in the view, not only from inside the
  // editor (Monaco's own binding) or the counter field (which handle it first and prevent the
  // default): the browser's "Save page" never opens over this view.
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if (!isMod(e) || e.altKey || e.key.toLowerCase() !== 's' || e.defaultPrevented) return;
      e.preventDefault();
      // A dialog is modal: the value behind it waits.
      if (!dialogShown()) saveShortcut.current?.();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active]);

  return (
    <div className="view-fill">
      <header className="toolbar">
        <h1 className="toolbar-title">Key-value</h1>
        <span className="muted small ellipsis toolbar-path" title={project?.keyvaluePath}>
          {project ? `${revealHidden(project.keyvaluePath)} (${project.keyvalueFrom === 'config' ? 'from wasi_keyvalue_path' : 'studio default'})` : ''}
        </span>
        <div className="toolbar-spacer" />
        <button className="btn" onClick={() => setNewBucket(true)}>
          + Bucket
        </button>
        <button className="btn btn-primary" disabled={bucket === undefined} onClick={() => setNewKey(true)}>
          + New key
        </button>
      </header>
      <div className="browser-layout">
        <aside className="bucket-pane" aria-label="Buckets">
          <div className="pane-heading">Buckets</div>
          {bucketsError && <div className="notice notice-error">{bucketsError}</div>}
          {bucketsLoaded && buckets.length === 0 && !bucketsError && (
            <div className="muted small pad">
              No bucket yet. A component creates one when it opens it with <code>wasi:keyvalue/store.open</code>; or add one with <strong>+ Bucket</strong>. A project that ships seed data loads it from the Data view ({modKey}+8).
            </div>
          )}
          <ul className="bucket-list">
            {buckets.map((b) => (
              <li key={b}>
                <button className={`bucket-item ${b === bucket ? 'active' : ''} ${b === '' ? 'root-bucket' : ''}`} onClick={() => useKv.getState().selectBucket(b)} title={b === '' ? ROOT_BUCKET_TITLE : undefined}>
                  {b === '' ? bucketLabel(b) : <NameText name={b} />}
                </button>
              </li>
            ))}
          </ul>
          {bucket !== undefined && bucket !== '' && (
            <div className="bucket-foot">
              <button className="link-btn danger small" onClick={() => setDeleteBucket(true)} title={`Delete bucket ${bucketLabel(bucket)} and every key in it`}>
                Delete this bucket…
              </button>
            </div>
          )}
        </aside>
        {bucket !== undefined ? (
          <>
            <KeyList />
            <ValuePane saveShortcut={saveShortcut} />
          </>
        ) : (
          <div className="detail-pane">
            <EmptyState title="No bucket selected" icon="⚷">
              <p>
                Send your component a request that stores something (the HTTP view does), then pick its bucket on the left.
                {qr && (
                  <>
                    {' '}
                    In the QR example, generating a code counts it in <code>qrcode</code>.
                  </>
                )}
              </p>
            </EmptyState>
          </div>
        )}
      </div>
      {newKey && bucket !== undefined && <NewKeyDialog bucket={bucket} onClose={() => setNewKey(false)} />}
      {newBucket && (
        <PromptDialog
          title="New bucket"
          label="Bucket name"
          confirmLabel="Create"
          validate={(v) => (v.trim() ? undefined : 'A bucket needs a name.')}
          onCancel={() => setNewBucket(false)}
          onSubmit={(name) => {
            setNewBucket(false);
            studio
              .call('kv.createBucket', { bucket: name.trim() })
              .then(() => useKv.getState().loadBuckets())
              .then(() => useKv.getState().selectBucket(name.trim()))
              .catch((err) => toastError('Could not create the bucket', err));
          }}
        />
      )}
      {deleteBucket && bucket !== undefined && (
        <ConfirmDialog
          title={`Delete bucket ${bucketLabel(bucket)}?`}
          confirmLabel="Delete bucket"
          onCancel={() => setDeleteBucket(false)}
          onConfirm={() => {
            setDeleteBucket(false);
            studio
              .call('kv.deleteBucket', { bucket })
              .then(() => useKv.getState().loadBuckets())
              .catch((err) => toastError('Could not delete the bucket', err));
          }}
        >
          <p>
            <code>{bucketLabel(bucket)}</code>: {keysThatGo(total)} deleted from disk. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
