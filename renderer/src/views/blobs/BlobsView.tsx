// Blobstore browser: containers, folders by `/` with breadcrumbs, a filter, a virtualized and
// paged object list with multi-select, previews by type, uploads (drop or pick, in parts, with
// progress), downloads and deletes.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import type { BlobObjectView } from '../../api/types.ts';
import { ConfirmDialog, Dialog, PromptDialog } from '../../components/Dialog.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { NameText } from '../../components/NameText.tsx';
import { ValueViewer } from '../../components/ValueViewer.tsx';
import { baseName, downloadBlob } from '../../lib/download.ts';
import { formatBytes, formatCount, formatDateTime, formatShortDate } from '../../lib/format.ts';
import { focusList, useListKeyboard } from '../../lib/use-list-keyboard.ts';
import { revealHidden, visibleName } from '../../lib/visible-text.ts';
import { useStudio } from '../../stores/studio-store.ts';
import { openProjectIsQr } from '../../lib/qr-example.ts';
import { modKey, useUi } from '../../stores/ui-store.ts';
import { type UploadAnswer, type UploadQuestion, useBlobs } from './blob-store.ts';

const ROW = 30;

type Row = { kind: 'folder'; prefix: string } | { kind: 'object'; object: BlobObjectView };

/** What a click (or Enter) on a row does: enter the folder, or preview the object. */
function openRow(row: Row) {
  if (row.kind === 'folder') useBlobs.getState().openFolder(row.prefix);
  else void useBlobs.getState().openPreview(row.object);
}

function toastError(title: string, err: unknown) {
  const e = describeError(err);
  useUi.getState().toast({ tone: 'error', title, detail: e.hint ? `${e.message} ${e.hint}` : e.message }, 8000);
}

async function downloadObject(object: BlobObjectView) {
  try {
    const bytes = await useBlobs.getState().download(object);
    downloadBlob(bytes as BlobPart, baseName(object.name), object.contentType || 'application/octet-stream');
  } catch (err) {
    toastError(`Could not download ${object.name}`, err);
  }
}

function Breadcrumbs() {
  const { container, folder } = useBlobs();
  const parts = folder.split('/').filter(Boolean);
  return (
    <nav className="breadcrumbs" aria-label="Folder">
      <button className="crumb" onClick={() => useBlobs.getState().openFolder('')}>
        {container}
      </button>
      {parts.map((p, i) => (
        <span key={i}>
          <span className="crumb-sep">/</span>
          <button className="crumb" onClick={() => useBlobs.getState().openFolder(parts.slice(0, i + 1).join('/') + '/')}>
            <NameText name={p} />
          </button>
        </span>
      ))}
    </nav>
  );
}

function Uploads() {
  const uploads = useBlobs((s) => s.uploads);
  if (uploads.length === 0) return null;
  return (
    <div className="uploads" aria-label="Uploads">
      {uploads.map((u) => (
        <div key={u.id} className="upload-row" data-state={u.state}>
          <span className="ellipsis mono">{u.name}</span>
          <progress max={Math.max(u.size, 1)} value={u.state === 'done' ? Math.max(u.size, 1) : u.sent} />
          <span className="muted small">{u.state === 'failed' ? u.error : u.state === 'done' ? 'done' : `${formatBytes(u.sent)} / ${formatBytes(u.size)}`}</span>
          {u.state === 'failed' && (
            <button className="icon-btn" aria-label="Dismiss" onClick={() => useBlobs.setState({ uploads: useBlobs.getState().uploads.filter((x) => x.id !== u.id) })}>
              ✕
            </button>
          )}
        </div>
      ))}
    </div>
  );
}

/** Where "select all" reaches: the folder, and the filter when there is one. */
function SelectionPlace() {
  const { container, folder, filter } = useBlobs();
  return (
    <>
      <code>
        <NameText name={`${container}/${folder}`} />
      </code>
      {filter && (
        <>
          {' '}
          starting with “<NameText name={filter} />”
        </>
      )}
    </>
  );
}

/** As mail clients do: once every loaded object is checked, the offer to check the rest of the folder too, not loaded yet. */
function SelectAllBar() {
  const { objects, cursor, checked, allChecked, selectingAll } = useBlobs();
  if (selectingAll !== undefined)
    return (
      <div className="select-all-bar small" role="status">
        <span className="spinner" /> Selecting every object in <SelectionPlace />… {formatCount(selectingAll)} so far
      </div>
    );
  if (allChecked)
    return (
      <div className="select-all-bar small" role="status">
        All {formatCount(checked.size)} objects in <SelectionPlace /> are selected.{' '}
        <button className="link-btn" onClick={() => useBlobs.getState().setChecked([])}>
          Clear the selection
        </button>
      </div>
    );
  if (cursor === undefined || objects.length === 0 || !objects.every((o) => checked.has(o.name))) return null;
  return (
    <div className="select-all-bar small" role="status">
      All {formatCount(objects.length)} loaded objects are selected; more are below.{' '}
      <button className="link-btn" onClick={() => useBlobs.getState().checkAll().catch((err) => toastError('Could not select every object', err))}>
        Select all objects in <SelectionPlace />
      </button>
    </div>
  );
}

/** The footer's count: the API gives no total for a folder, so a partial listing says so. */
function countText(folders: number, objects: number, more: boolean): string {
  const folderText = `${formatCount(folders)} folder${folders === 1 ? '' : 's'}`;
  if (more) return `${folderText}, ${formatCount(objects)} objects shown, more below`;
  return `${folderText}, ${formatCount(objects)} object${objects === 1 ? '' : 's'}`;
}

function ObjectList() {
  const { container, folders, objects, cursor, listing, listError, checked, allChecked, preview, folder, filter } = useBlobs();
  const parent = useRef<HTMLDivElement>(null);
  const [dragging, setDragging] = useState(false);
  const rows: Row[] = [...folders.map((prefix) => ({ kind: 'folder' as const, prefix })), ...objects.map((object) => ({ kind: 'object' as const, object }))];
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 20 });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (cursor !== undefined && !listing && lastIndex >= rows.length - 50) void useBlobs.getState().list(false);
  }, [lastIndex, rows.length, cursor, listing]);
  const loadedChecked = objects.length > 0 && objects.every((o) => checked.has(o.name));
  const previewIndex = preview ? objects.findIndex((o) => o.name === preview.object.name) : -1;
  const keyboard = useListKeyboard({
    count: rows.length,
    virtualizer,
    rowHeight: ROW,
    resetKey: `${container}\0${folder}\0${filter}`,
    pickedIndex: previewIndex >= 0 ? folders.length + previewIndex : undefined,
    onOpen: (index) => openRow(rows[index]!),
    onToggle: (index) => {
      const row = rows[index]!;
      if (row.kind === 'object') useBlobs.getState().toggleChecked(row.object.name);
    },
    loadRest: () => useBlobs.getState().listRest(),
  });

  return (
    <div
      className={`list-pane wide ${dragging ? 'dragging' : ''}`}
      aria-label="Objects"
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node)) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const files = [...e.dataTransfer.files];
        if (files.length) void useBlobs.getState().upload(files);
      }}
    >
      <div className="pane-toolbar">
        <Breadcrumbs />
        <input className="input" type="search" placeholder="Filter: names starting with…" aria-label="Filter objects" value={filter} onChange={(e) => useBlobs.getState().setFilter(e.target.value)} />
      </div>
      <div className="list-header">
        <label className="check-cell" title="Select every loaded object">
          <input type="checkbox" aria-label="Select all" checked={allChecked || loadedChecked} onChange={(e) => useBlobs.getState().setChecked(e.target.checked ? objects.map((o) => o.name) : [])} />
        </label>
        <span className="col-name">Name</span>
        <span className="col-size">Size</span>
        <span className="col-date">Modified</span>
      </div>
      <SelectAllBar />
      <div className="virtual-list" ref={parent} role="grid" aria-label="Object list" aria-rowcount={rows.length} {...keyboard.listProps}>
        {rows.length === 0 && !listing ? (
          <EmptyState title={filter ? 'Nothing matches' : folder ? 'This folder is empty' : 'This container is empty'} icon="▤">
            <p>{filter ? 'Names starting with this text: none here.' : 'Drop files here or use Upload. Components write objects through wasi:blobstore.'}</p>
          </EmptyState>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((item) => {
              const row = rows[item.index]!;
              if (row.kind === 'folder') {
                return (
                  <div key={`d:${row.prefix}`} {...keyboard.rowProps(item.index)} className="list-row grid-row" role="row" aria-rowindex={item.index + 1} style={{ transform: `translateY(${item.start}px)`, height: ROW }} onClick={() => openRow(row)}>
                    <span className="check-cell" role="gridcell" />
                    <span className="col-name ellipsis" role="gridcell">
                      <span className="folder-icon">▸</span> <NameText name={row.prefix.slice(folder.length)} />
                    </span>
                    <span className="col-size muted" role="gridcell">
                      folder
                    </span>
                    <span className="col-date" role="gridcell" />
                  </div>
                );
              }
              const o = row.object;
              return (
                <div
                  key={o.name}
                  {...keyboard.rowProps(item.index)}
                  role="row"
                  aria-rowindex={item.index + 1}
                  aria-selected={preview?.object.name === o.name}
                  className={`list-row grid-row ${preview?.object.name === o.name ? 'active' : ''}`}
                  style={{ transform: `translateY(${item.start}px)`, height: ROW }}
                  onClick={() => openRow(row)}
                >
                  {/* Not a Tab stop of its own: the list is one, and Space toggles the active row's box. */}
                  <span className="check-cell" role="gridcell">
                    <label onClick={(e) => e.stopPropagation()}>
                      <input type="checkbox" tabIndex={-1} aria-label={`Select ${o.name}`} checked={checked.has(o.name)} onChange={(e) => useBlobs.getState().toggleChecked(o.name, e.target.checked)} />
                    </label>
                  </span>
                  <span className="col-name ellipsis mono" role="gridcell" title={visibleName(o.name)}>
                    <NameText name={o.name.slice(folder.length)} />
                  </span>
                  <span className="col-size" role="gridcell">
                    {formatBytes(o.size)}
                  </span>
                  <span className="col-date muted" role="gridcell" title={formatDateTime(o.modified)}>
                    {formatShortDate(o.modified)}
                  </span>
                </div>
              );
            })}
          </div>
        )}
      </div>
      <div className="pane-status muted small" data-testid="object-count">
        {listError ? <span className="bad">{listError}</span> : countText(folders.length, objects.length, cursor !== undefined)}
        {listing && ' · loading…'}
      </div>
      {dragging && <div className="drop-overlay">Drop to upload into {folder || 'the container root'}</div>}
      <Uploads />
    </div>
  );
}

function PreviewPane() {
  const preview = useBlobs((s) => s.preview);
  if (!preview)
    return (
      <div className="detail-pane">
        <EmptyState title="Pick an object" icon="▤">
          <p>Its size, type and date appear here with a preview: images, text, JSON, or hex for anything binary.</p>
        </EmptyState>
      </div>
    );
  const o = preview.object;
  return (
    <div className="detail-pane" aria-label="Object details">
      <header className="detail-header">
        <div className="detail-title">
          <h2 className="mono ellipsis" title={visibleName(o.name)}>
            <NameText name={baseName(o.name)} />
          </h2>
          <span className="muted small">
            {formatBytes(o.size)} · {o.contentType || 'unknown type'} · modified {formatDateTime(o.modified)}
          </span>
        </div>
        <div className="detail-actions">
          <button className="btn btn-primary" onClick={() => void downloadObject(o)}>
            ↓ Download
          </button>
          <button
            className="icon-btn"
            aria-label="Close preview"
            onClick={() => {
              useBlobs.getState().closePreview();
              focusList('blobs');
            }}
          >
            ✕
          </button>
        </div>
      </header>
      <div className="detail-body">
        {preview.loading && <div className="muted pad">Loading preview…</div>}
        {preview.error && <div className="notice notice-error">{preview.error}</div>}
        {preview.bytes && <ValueViewer bytes={preview.bytes} contentType={o.contentType} name={o.name} totalSize={o.size} label="Object preview" rest="Download it to see all of it." />}
      </div>
    </div>
  );
}

/** Object names a dialog is about: the first ten, and how many more. */
function NameList({ names }: { names: string[] }) {
  return (
    <ul className="delete-list mono">
      {names.slice(0, 10).map((n) => (
        <li key={n}>
          <NameText name={n} />
        </li>
      ))}
      {names.length > 10 && <li className="muted">…and {formatCount(names.length - 10)} more</li>}
    </ul>
  );
}

/** Asks before an upload overwrites objects of the same name; Cancel has the first focus, as in every dialog that can destroy. */
function ReplaceDialog({ question }: { question: UploadQuestion }) {
  const answer = (a: UploadAnswer) => useBlobs.getState().answerUpload(a);
  const taken = question.existing.length;
  const fresh = question.files.length - taken;
  const where = `${question.container}/${question.folder}`;
  return (
    <Dialog
      title={taken === 1 ? `Replace ${visibleName(baseName(question.existing[0]!))}?` : `Replace ${taken} objects?`}
      onClose={() => answer('cancel')}
      footer={
        <>
          <button className="btn" data-autofocus onClick={() => answer('cancel')}>
            Cancel
          </button>
          {fresh > 0 && (
            <button className="btn" onClick={() => answer('skip')}>
              Upload only the {fresh === 1 ? 'new file' : `${fresh} new files`}
            </button>
          )}
          <button className="btn btn-danger" onClick={() => answer('replace')}>
            Replace
          </button>
        </>
      }
    >
      <p>
        <code>{visibleName(where)}</code> already has {taken === 1 ? 'an object' : 'objects'} of the same name. Replacing overwrites {taken === 1 ? 'it' : 'them'}; this cannot be undone.
      </p>
      <NameList names={question.existing} />
    </Dialog>
  );
}

export function BlobsView() {
  const { containers, containersLoaded, containersError, container, checked, folder, uploadQuestion } = useBlobs();
  const project = useStudio((s) => s.project);
  const qr = useStudio(openProjectIsQr);
  const fileInput = useRef<HTMLInputElement>(null);
  const [newContainer, setNewContainer] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  useEffect(() => useBlobs.getState().start(), []);

  const deleteChecked = async () => {
    setConfirmDelete(false);
    const count = checked.size;
    try {
      const deleted = await useBlobs.getState().deleteChecked();
      useUi.getState().toast({ tone: 'success', title: `Deleted ${formatCount(deleted)} object${deleted === 1 ? '' : 's'}` });
    } catch (err) {
      const left = useBlobs.getState().checked.size;
      toastError(left < count ? `Deleted ${formatCount(count - left)} of ${formatCount(count)} objects, then could not go on` : 'Could not delete', err);
    }
  };

  return (
    <div className="view-fill">
      <header className="toolbar">
        <h1 className="toolbar-title">Blobs</h1>
        <span className="muted small ellipsis toolbar-path" title={project?.blobstorePath}>
          {project ? `${revealHidden(project.blobstorePath)} (${project.blobstoreFrom === 'config' ? 'from wasi_blobstore_path' : 'studio default'})` : ''}
        </span>
        <div className="toolbar-spacer" />
        <button className="btn" onClick={() => setNewContainer(true)}>
          + Container
        </button>
        <button className="btn btn-danger-outline" disabled={checked.size === 0} onClick={() => setConfirmDelete(true)}>
          Delete{checked.size ? ` (${formatCount(checked.size)})` : ''}
        </button>
        <button className="btn btn-primary" disabled={!container} onClick={() => fileInput.current?.click()}>
          ↑ Upload
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          aria-label="Files to upload"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length) void useBlobs.getState().upload(files);
          }}
        />
      </header>
      <div className="browser-layout blobs">
        <aside className="bucket-pane" aria-label="Containers">
          <div className="pane-heading">Containers</div>
          {containersError && <div className="notice notice-error">{containersError}</div>}
          {containersLoaded && containers.length === 0 && !containersError && (
            <div className="muted small pad">
              No container yet. Components create them through <code>wasi:blobstore</code>
              {qr && (
                <>
                  {' '}
                  (the QR example stores each image in <code>qrcodes</code>)
                </>
              )}
              ; or add one with <strong>+ Container</strong>. A project that ships seed data loads it from the Data view ({modKey}+8).
            </div>
          )}
          <ul className="bucket-list">
            {containers.map((c) => (
              <li key={c.name}>
                <button className={`bucket-item ${c.name === container ? 'active' : ''}`} onClick={() => useBlobs.getState().selectContainer(c.name)}>
                  <NameText name={c.name} />
                </button>
              </li>
            ))}
          </ul>
        </aside>
        {container ? (
          <>
            <ObjectList />
            <PreviewPane />
          </>
        ) : (
          <div className="detail-pane">
            <EmptyState title="No container selected" icon="▤">
              <p>
                Send your component a request that writes an object (the HTTP view does): its container shows up on the left.
                {qr && (
                  <>
                    {' '}
                    In the QR example, generating a code stores the PNG in <code>qrcodes</code>.
                  </>
                )}
              </p>
            </EmptyState>
          </div>
        )}
      </div>
      {newContainer && (
        <PromptDialog
          title="New container"
          label="Container name"
          confirmLabel="Create"
          validate={(v) => (v.trim() ? undefined : 'A container needs a name.')}
          onCancel={() => setNewContainer(false)}
          onSubmit={(name) => {
            setNewContainer(false);
            studio
              .call('blob.createContainer', { container: name.trim() })
              .then(() => useBlobs.getState().loadContainers())
              .then(() => useBlobs.getState().selectContainer(name.trim()))
              .catch((err) => toastError('Could not create the container', err));
          }}
        />
      )}
      {confirmDelete && (
        <ConfirmDialog title={`Delete ${formatCount(checked.size)} object${checked.size === 1 ? '' : 's'}?`} confirmLabel="Delete" onCancel={() => setConfirmDelete(false)} onConfirm={() => void deleteChecked()}>
          <p>These are removed from {container}{folder ? `/${folder}` : ''}:</p>
          <NameList names={[...checked]} />
        </ConfirmDialog>
      )}
      {uploadQuestion && <ReplaceDialog question={uploadQuestion} />}
    </div>
  );
}
