// The project and where its data lives: the project folder (open another), the gateway port,
// the key-value and blob folders with where each path came from (the project config or the
// studio's default), so users know which folder to `ls`.
import { useState } from 'react';
import { StudioApiError, describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import { ConfirmDialog } from '../../components/Dialog.tsx';
import { useStudio } from '../../stores/studio-store.ts';
import { modKey, useUi } from '../../stores/ui-store.ts';

function Origin({ from, configKey }: { from: 'config' | 'default' | undefined; configKey: string }) {
  if (!from) return null;
  return from === 'config' ? (
    <span className="origin-badge" data-from="config" title={`Set by dev.${configKey} in the project config`}>
      from config: dev.{configKey}
    </span>
  ) : (
    <span className="origin-badge" data-from="default" title={`dev.${configKey} is not set; wash would keep this data in memory, the studio keeps it on disk here`}>
      studio default
    </span>
  );
}

function copy(text: string) {
  void navigator.clipboard?.writeText(text).then(() => useUi.getState().toast({ tone: 'info', title: 'Copied', detail: text }));
}

export function SettingsView() {
  const project = useStudio((s) => s.project);
  const settings = useStudio((s) => s.settings);
  const connection = useStudio((s) => s.connection);
  const [path, setPath] = useState('');
  const [opening, setOpening] = useState(false);
  const [error, setError] = useState<{ message: string; hint?: string }>();
  /** A system or home folder the runtime asks about before opening it: why, in its words. */
  const [risky, setRisky] = useState<string>();

  const open = async (confirm = false) => {
    if (!path.trim()) return setError({ message: 'Type the path of a project folder or a .wasm file.' });
    setOpening(true);
    setError(undefined);
    setRisky(undefined);
    try {
      const opened = await studio.call('project.open', { path: path.trim(), ...(confirm ? { confirm } : {}) });
      useStudio.setState({ project: opened, builds: [...opened.builds].sort((a, b) => a.number - b.number) });
      void useStudio.getState().refresh();
      useUi.getState().toast({ tone: 'success', title: `Opened ${opened.name}` });
      setPath('');
    } catch (err) {
      const failure = StudioApiError.from(err);
      if (failure.code === 'project-needs-confirmation') setRisky(failure.message);
      else setError(describeError(err));
    } finally {
      setOpening(false);
    }
  };

  const port = settings?.port ?? (project?.gatewayUrl ? Number(new URL(project.gatewayUrl).port) || undefined : undefined);
  return (
    <div className="view-scroll">
      <header className="view-header">
        <div>
          <h1>Settings</h1>
          <p className="muted">The project the studio serves and where its data lives on disk.</p>
        </div>
      </header>

      <section className="card settings-card" aria-label="Project">
        <h3>Project</h3>
        <dl className="settings-grid">
          <dt>Folder</dt>
          <dd>
            <code className="path" data-testid="project-path">
              {settings?.projectPath ?? project?.path ?? '—'}
            </code>
            {project && (
              <button className="link-btn small" onClick={() => copy(project.path)}>
                copy
              </button>
            )}
          </dd>
          <dt>Kind</dt>
          <dd>{project ? (project.kind === 'file' ? 'A component file, served as it is' : 'A project, built by the studio') : '—'}</dd>
          <dt>Config</dt>
          <dd>{project?.configPath ? <code className="path">{project.configPath}</code> : <span className="muted">none (defaults apply)</span>}</dd>
        </dl>
        <div className="open-project">
          <label className="field grow">
            <span>Open another project (a folder with .wash/, or a .wasm file)</span>
            <input className="input mono" placeholder="/path/to/project" value={path} onChange={(e) => setPath(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && void open()} aria-label="Project path" />
          </label>
          <button className="btn btn-primary" disabled={opening} onClick={() => void open()}>
            {opening ? 'Opening…' : 'Open'}
          </button>
        </div>
        {risky && (
          <ConfirmDialog title="Open this folder as a project?" confirmLabel="Open anyway" onConfirm={() => void open(true)} onCancel={() => setRisky(undefined)}>
            <p>{risky}</p>
            <p className="muted">Usually a project is a folder of its own inside it, with a .wash/ folder or a src/ entry.</p>
          </ConfirmDialog>
        )}
        {error && (
          <div className="error-note" role="alert">
            <div className="error-title">{error.message}</div>
            {error.hint && <div className="error-hint">{error.hint}</div>}
          </div>
        )}
      </section>

      <section className="card settings-card" aria-label="Gateway">
        <h3>Gateway</h3>
        <dl className="settings-grid">
          <dt>Port</dt>
          <dd data-testid="gateway-port">{port ?? '—'}</dd>
          <dt>URL</dt>
          <dd>
            {project?.gatewayUrl ? (
              <a href={project.gatewayUrl} target="_blank" rel="noreferrer">
                {project.gatewayUrl} ↗
              </a>
            ) : (
              <span className="muted">not serving yet</span>
            )}
          </dd>
          <dt>Studio API</dt>
          <dd>
            {studio.transport === 'electron' ? 'Electron IPC' : `WebSocket (${connection})`}
          </dd>
        </dl>
        <p className="muted small">The port is chosen at start: <code>component-studio dev --port N</code> (0 picks a free one), or <code>dev.address</code> in the project config.</p>
      </section>

      <section className="card settings-card" aria-label="Data folders">
        <h3>Data folders</h3>
        <dl className="settings-grid">
          <dt>Key-value</dt>
          <dd>
            <code className="path" data-testid="kv-path">
              {settings?.keyvaluePath ?? project?.keyvaluePath ?? '—'}
            </code>{' '}
            <Origin from={project?.keyvalueFrom} configKey="wasi_keyvalue_path" />
          </dd>
          <dt>Blobs</dt>
          <dd>
            <code className="path" data-testid="blob-path">
              {settings?.blobstorePath ?? project?.blobstorePath ?? '—'}
            </code>{' '}
            <Origin from={project?.blobstoreFrom} configKey="wasi_blobstore_path" />
          </dd>
        </dl>
        <p className="muted small">
          One file per key (<code>&lt;folder&gt;/&lt;bucket&gt;/&lt;key&gt;</code>) and per object (<code>&lt;folder&gt;/&lt;container&gt;/&lt;name&gt;</code>), the layout wash uses: either tool can read what the other wrote. Changes made by other programs show up live.
        </p>
      </section>

      <section className="card settings-card" aria-label="Appearance">
        <h3>Appearance</h3>
        <p className="muted small">
          The theme follows your system's light or dark setting. Press <kbd>?</kbd> for keyboard shortcuts; <kbd>{modKey}</kbd>+<kbd>1</kbd>…<kbd>6</kbd> switch views.
        </p>
      </section>
    </div>
  );
}
