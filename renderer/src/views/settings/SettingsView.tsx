// The project and where its data lives: the project folder (open another), the gateway port,
// the key-value and blob folders, outbound HTTP (offline mode, stand-ins), and wash's config
// as merged for the project (defaults < the user's wash config < the project's < WASH_*
// variables), each value with the file, variable or default it came from, so users know
// which file to edit and which folder to `ls`.
import { useEffect, useState } from 'react';
import { StudioApiError, describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import type { ConfigOriginView, ConfigSourcesView, ConfigValueView, ProjectView } from '../../api/types.ts';
import { ConfirmDialog } from '../../components/Dialog.tsx';
import { useStudio } from '../../stores/studio-store.ts';
import { modKey, useUi } from '../../stores/ui-store.ts';
import { NewProjectForm } from './NewProjectForm.tsx';
import { OutboundCard } from './OutboundCard.tsx';
import { revealHidden } from '../../lib/visible-text.ts';

/** A path inside the project as written relative to it, other paths whole. */
function shortPath(path: string, root: string | undefined): string {
  if (!root) return path;
  const prefix = root.endsWith('/') || root.endsWith('\\') ? root : `${root}${root.includes('\\') && !root.includes('/') ? '\\' : '/'}`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** Where one config value came from, as a badge: the file, the variable, or the studio's default. */
function OriginBadge({ origin, root, defaultTitle }: { origin: ConfigOriginView; root: string | undefined; defaultTitle?: string }) {
  switch (origin.kind) {
    case 'project':
      return (
        <span className="origin-badge" data-from="project" title={`Set in ${origin.file}`}>
          project: {shortPath(origin.file, root)}
        </span>
      );
    case 'user':
      return (
        <span className="origin-badge" data-from="user" title={`Set in ${origin.file}`}>
          your wash config
        </span>
      );
    case 'env':
      return (
        <span className="origin-badge" data-from="env" title={`Set by the environment variable ${origin.variable} when the studio started`}>
          env: {origin.variable}
        </span>
      );
    case 'default':
      return (
        <span className="origin-badge" data-from="default" title={defaultTitle ?? 'No layer of the config sets this key: the studio uses its own default'}>
          studio default
        </span>
      );
  }
}

/** A store folder's origin: the config layer that set its key, else the studio's default. */
function StoreOrigin({ configKey, config, from, root }: { configKey: string; config: ConfigSourcesView | undefined; from: 'config' | 'default' | undefined; root: string | undefined }) {
  // A .wasm file has no config layers to look in: its folders are the defaults.
  const origin = config?.values.find((v) => v.key === configKey)?.origin ?? (from === 'default' ? ({ kind: 'default' } as const) : undefined);
  if (!origin) return null;
  return <OriginBadge origin={origin} root={root} defaultTitle={`${configKey} is not set; wash would keep this data in memory, the studio keeps it on disk here`} />;
}

/** A value as a person reads it: a string as written, anything else as compact JSON. */
function shownValue(value: ConfigValueView['value']): string {
  const parsed: unknown = JSON.parse(value);
  return typeof parsed === 'string' ? parsed : value;
}

function ConfigLayers({ config, root }: { config: ConfigSourcesView; root: string | undefined }) {
  const none = <span className="muted">none</span>;
  return (
    <ol className="config-layers" aria-label="Config layers, lowest first">
      <li>
        <span className="config-layer-name">studio defaults</span>
        <span className="muted">where no layer sets a key</span>
      </li>
      <li>
        <span className="config-layer-name">your wash config</span>
        {config.userConfigPath ? <code className="path">{config.userConfigPath}</code> : <span className="muted">none in <code className="path">{config.userConfigDir}</code></span>}
      </li>
      <li>
        <span className="config-layer-name">project config</span>
        {config.projectConfigPath ? <code className="path">{shortPath(config.projectConfigPath, root)}</code> : none}
      </li>
      <li>
        <span className="config-layer-name">environment</span>
        {config.envVariables.length ? <code>{config.envVariables.join(', ')}</code> : <span className="muted">no WASH_BUILD, WASH_DEV, WASH_WIT or WASH_VERSION set</span>}
      </li>
    </ol>
  );
}

function ConfigValues({ config, root }: { config: ConfigSourcesView; root: string | undefined }) {
  return (
    <table className="config-values" data-testid="config-values">
      <thead>
        <tr>
          <th>Key</th>
          <th>Value</th>
          <th>From</th>
        </tr>
      </thead>
      <tbody>
        {config.values.map((value) => (
          <tr key={value.key} data-key={value.key}>
            <td>
              <code>{value.key}</code>
            </td>
            <td>
              <code className={`config-value${value.overriddenBy ? ' overridden' : ''}`} title={value.value}>
                {shownValue(value.value)}
              </code>
            </td>
            <td>
              <OriginBadge origin={value.origin} root={root} />
              {value.overriddenBy && (
                <div className="muted small" title="Command-line flags win over every config layer">
                  overridden by <code>{value.overriddenBy}</code>
                </div>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A project the studio has just opened (or made and opened) becomes the one every view shows. */
function showOpened(opened: ProjectView) {
  useStudio.setState({ project: opened, builds: [...opened.builds].sort((a, b) => a.number - b.number) });
  void useStudio.getState().refresh();
  useUi.getState().toast({ tone: 'success', title: `Opened ${opened.name}` });
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
  const [recent, setRecent] = useState<string[]>([]);
  // Read again whenever another project opens: it has just become a recent one.
  useEffect(() => {
    let live = true;
    studio.call('project.recent', {}).then(
      (paths) => live && setRecent(paths),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [project?.path]);

  const open = async (confirm = false, target = path) => {
    if (!target.trim()) return setError({ message: 'Type the path of a project folder or a .wasm file.' });
    setOpening(true);
    setError(undefined);
    setRisky(undefined);
    try {
      showOpened(await studio.call('project.open', { path: target.trim(), ...(confirm ? { confirm } : {}) }));
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
          <p className="muted">The project the studio serves, where its data lives on disk and where its config comes from.</p>
        </div>
      </header>

      <section className="card settings-card" aria-label="Project">
        <h3>Project</h3>
        <dl className="settings-grid">
          <dt>{project?.kind === 'file' ? 'File' : 'Folder'}</dt>
          <dd>
            <code className="path" data-testid="project-path">
              {revealHidden(project?.path ?? settings?.projectPath ?? '—')}
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
          <dd>{project?.configPath ? <code className="path">{project.configPath}</code> : <span className="muted">{project?.kind === 'file' ? 'none: a component file is served without one' : 'none in the project (see below for the other layers)'}</span>}</dd>
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
        <RecentProjects paths={recent.filter((p) => p !== project?.path)} disabled={opening} onOpen={(p) => void open(false, p)} />
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
        <NewProjectForm onOpened={showOpened} />
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
        <p className="muted small">The port is chosen at start: <code>component-studio dev --port N</code> (0 picks a free one), or <code>dev.address</code> in the config{settings?.config ? ' (see wash config below)' : ''}.</p>
      </section>

      <section className="card settings-card" aria-label="Data folders">
        <h3>Data folders</h3>
        <dl className="settings-grid">
          <dt>Key-value</dt>
          <dd>
            <code className="path" data-testid="kv-path">
              {revealHidden(settings?.keyvaluePath ?? project?.keyvaluePath ?? '—')}
            </code>{' '}
            <StoreOrigin configKey="dev.wasi_keyvalue_path" config={settings?.config} from={project?.keyvalueFrom} root={project?.path} />
          </dd>
          <dt>Blobs</dt>
          <dd>
            <code className="path" data-testid="blob-path">
              {revealHidden(settings?.blobstorePath ?? project?.blobstorePath ?? '—')}
            </code>{' '}
            <StoreOrigin configKey="dev.wasi_blobstore_path" config={settings?.config} from={project?.blobstoreFrom} root={project?.path} />
          </dd>
        </dl>
        <p className="muted small">
          One file per key (<code>&lt;folder&gt;/&lt;bucket&gt;/&lt;key&gt;</code>) and per object (<code>&lt;folder&gt;/&lt;container&gt;/&lt;name&gt;</code>), the layout wash uses: either tool can read what the other wrote. Changes made by other programs show up live.
        </p>
      </section>

      {settings?.outbound && <OutboundCard outbound={settings.outbound} />}

      {settings?.config && (
        <section className="card settings-card" aria-label="wash config">
          <h3>wash config</h3>
          <p className="muted small">
            Merged the way <code>wash dev</code> merges it: each layer below overrides the ones above it, key by key (a list is replaced whole). The config is read again on every build.
          </p>
          <ConfigLayers config={settings.config} root={project?.path} />
          {settings.config.values.length > 0 && <ConfigValues config={settings.config} root={project?.path} />}
        </section>
      )}

      <section className="card settings-card" aria-label="Appearance">
        <h3>Appearance</h3>
        <p className="muted small">
          The theme follows your system's light or dark setting. Press <kbd>?</kbd> for keyboard shortcuts; <kbd>{modKey}</kbd>+<kbd>1</kbd>…<kbd>9</kbd> switch views.
        </p>
      </section>
    </div>
  );
}

/** The projects opened before, one click each (the desktop app's File > Open Recent, here for every window). */
function RecentProjects({ paths, disabled, onOpen }: { paths: string[]; disabled: boolean; onOpen: (path: string) => void }) {
  if (paths.length === 0) return null;
  return (
    <nav className="recent-projects" aria-label="Recent projects">
      <span className="muted small">Recent:</span>
      {paths.slice(0, 6).map((path) => (
        <button key={path} className="btn btn-small" disabled={disabled} title={path} onClick={() => onOpen(path)}>
          {projectName(path)}
        </button>
      ))}
    </nav>
  );
}

/** The last part of a project's path, / or \\ separated, for a button (the whole path is its title). */
function projectName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}
