// From the studio to a wasmCloud cluster: push the built component(s) to an OCI registry with
// progress and digests, then the WorkloadDeployment (and Service) generated from the project's
// config in Monaco, checked against wasmCloud's CRD as it is edited, to copy, download or
// apply with kubectl. Errors say what went wrong and the fix (the runtime words them).
import { useEffect, useMemo, useState } from 'react';
import type { DeployProgressView, ManifestProblemView } from '../../api/types.ts';
import { CodeEditor, type EditorMarker } from '../../components/CodeEditor.tsx';
import { ConfirmDialog } from '../../components/Dialog.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { downloadBlob } from '../../lib/download.ts';
import { formatBytes } from '../../lib/format.ts';
import { useStudio } from '../../stores/studio-store.ts';
import { useIsActive, useUi } from '../../stores/ui-store.ts';
import { useDeploy } from './deploy-store.ts';
import './deploy.css';
import { revealHidden } from '../../lib/visible-text.ts';

/** The most replicas the WorkloadDeployment CRD takes (as `deploy --replicas` checks). */
const MAX_REPLICAS = 10_000;

/** The replica count typed, when the CRD takes it: a whole number from 0 to MAX_REPLICAS. */
function replicaCount(text: string): number | undefined {
  return /^\d+$/.test(text.trim()) && Number(text) <= MAX_REPLICAS ? Number(text) : undefined;
}

function copy(text: string, what: string) {
  void navigator.clipboard?.writeText(text).then(
    () => useUi.getState().toast({ tone: 'info', title: `Copied ${what}` }),
    () => useUi.getState().toast({ tone: 'error', title: 'Could not copy', detail: 'The browser refused access to the clipboard.' }),
  );
}

const PHASES: Record<DeployProgressView['phase'], string> = {
  connecting: 'connecting',
  uploading: 'uploading',
  manifest: 'writing the manifest',
  verifying: 'pulling back to verify',
  done: 'done',
};

function ProgressRow({ progress }: { progress: DeployProgressView }) {
  const fraction = progress.phase === 'uploading' && progress.total > 0 ? progress.sent / progress.total : progress.phase === 'connecting' ? 0 : 1;
  return (
    <div className="deploy-progress" data-artifact={progress.artifact} data-phase={progress.phase}>
      <div className="deploy-progress-label">
        <strong>{progress.artifact}</strong>
        <span className="muted">
          {PHASES[progress.phase]}
          {progress.phase === 'uploading' && ` ${formatBytes(progress.sent)} of ${formatBytes(progress.total)}`}
        </span>
      </div>
      <progress max={1} value={fraction} aria-label={`Pushing ${progress.artifact}`} />
    </div>
  );
}

function problemText(p: ManifestProblemView): string {
  return `${p.message}${p.configKey ? ` (from ${p.configKey} in the config)` : ''}`;
}

export function DeployView() {
  const project = useStudio((s) => s.project);
  const builds = useStudio((s) => s.builds);
  const active = useIsActive('deploy');
  const state = useDeploy();
  const { form, view, manifest, problems } = state;
  const [login, setLogin] = useState({ username: '', password: '' });
  const [showLogin, setShowLogin] = useState(false);
  /** The Replicas field as typed: only a count the CRD takes reaches the form. */
  const [replicasText, setReplicasText] = useState(String(form.replicas));
  useEffect(() => setReplicasText(String(form.replicas)), [form.replicas]);
  const replicasValid = replicaCount(replicasText) !== undefined;
  const [confirmRegenerate, setConfirmRegenerate] = useState(false);

  // Another project brings its own saved form, then its manifest (deploy-store.ts follows the project).
  // Options changed, or a build finished: regenerate, unless the user has edited the manifest.
  const latestOk = builds.filter((b) => b.outcome === 'ok').at(-1)?.number;
  useEffect(() => {
    if (!active || !state.projectPath || state.edited) return;
    const timer = setTimeout(() => void useDeploy.getState().generate(), 400);
    return () => clearTimeout(timer);
  }, [active, form.repository, form.tag, form.replicas, form.host, latestOk]);

  const markers = useMemo<EditorMarker[]>(() => problems.filter((p) => p.line !== undefined).map((p) => ({ line: p.line!, ...(p.column !== undefined ? { column: p.column } : {}), message: problemText(p), severity: p.severity })), [problems]);
  const errors = problems.filter((p) => p.severity === 'error');
  // The manifest shown is for the options before the change that failed: not to be handed out as theirs.
  const stale = state.generateError !== undefined && !state.edited;
  const local = /^(localhost|127(\.\d+){3}|\[::1\])(:\d+)?\//.test(form.repository.trim()) || /^[^/]*\.localhost(:\d+)?\//.test(form.repository.trim());
  const progress = Object.values(state.progress).sort((a, b) => a.index - b.index);
  const unbuilt = view?.artifacts.filter((a) => !a.built) ?? [];

  if (!project) {
    return (
      <div className="view-scroll">
        <p className="muted">No project is open.</p>
      </div>
    );
  }

  return (
    <div className="view-scroll deploy-view">
      <header className="view-header">
        <div>
          <h1>Deploy</h1>
          <p className="muted">
            Push {revealHidden(project.name)} to an OCI registry, then run it on a wasmCloud cluster with the WorkloadDeployment below, generated from the project's config. <code>docs/deploy.md</code> goes step by step.
          </p>
        </div>
      </header>

      <section className="card" aria-label="Push">
        <h3>Push to a registry</h3>
        <div className="deploy-form">
          <label className="field grow">
            <span>Repository</span>
            <input className="input mono" value={form.repository} placeholder="ghcr.io/you/app" onChange={(e) => state.setForm({ repository: e.target.value })} aria-label="Repository" spellCheck={false} />
          </label>
          <label className="field">
            <span>Tag</span>
            <input className="input mono deploy-tag" value={form.tag} placeholder="1.0.0" onChange={(e) => state.setForm({ tag: e.target.value })} aria-label="Tag" spellCheck={false} />
          </label>
          <button className="btn btn-primary deploy-push" disabled={state.pushing || !form.repository.trim() || !form.tag.trim() || unbuilt.length > 0} onClick={() => void state.push(showLogin ? login : { username: '', password: '' })}>
            {state.pushing ? 'Pushing…' : 'Push'}
          </button>
        </div>
        <div className="deploy-options">
          <label className="inline-field" title={local ? 'Registries on this machine usually speak plain HTTP' : 'Plain HTTP is allowed only for a registry on this machine'}>
            <input type="checkbox" checked={form.insecure && local} disabled={!local} onChange={(e) => state.setForm({ insecure: e.target.checked })} /> Plain HTTP (a registry on this machine)
          </label>
          <label className="inline-field">
            <input type="checkbox" checked={showLogin} onChange={(e) => setShowLogin(e.target.checked)} /> Log in
          </label>
          <span className="muted small">{showLogin ? 'The password is used for this push only and is not saved.' : 'Without a login, credentials come from your Docker config (docker login), if it has some.'}</span>
        </div>
        {showLogin && (
          <div className="deploy-form">
            <label className="field">
              <span>User name</span>
              <input className="input" value={login.username} autoComplete="username" onChange={(e) => setLogin({ ...login, username: e.target.value })} aria-label="User name" />
            </label>
            <label className="field">
              <span>Password or token</span>
              <input className="input" type="password" value={login.password} autoComplete="current-password" onChange={(e) => setLogin({ ...login, password: e.target.value })} aria-label="Password" />
            </label>
          </div>
        )}
        {unbuilt.length > 0 && (
          <div className="notice notice-warn">
            Not built yet: {unbuilt.map((a) => a.name).join(', ')}. The studio pushes what the dev session built; wait for the build, or fix it (the reload indicator has its output).
          </div>
        )}
        {progress.length > 0 && <div className="deploy-progress-list">{progress.map((p) => <ProgressRow key={p.artifact} progress={p} />)}</div>}
        {state.pushError && <ErrorNote error={state.pushError} title="The push failed" />}
        {state.pushed && (
          <ul className="deploy-pushed" aria-label="Pushed">
            {state.pushed.map((p) => (
              <li key={p.name}>
                <span className="ok">✓</span> <strong>{p.name}</strong> → <code>{p.reference}</code>
                <div className="deploy-digest">
                  <code data-testid="pushed-digest">{p.digest}</code>
                  <button className="link-btn small" onClick={() => copy(p.pinned, 'the pinned reference')}>
                    copy reference
                  </button>
                  <span className="muted small">
                    {formatBytes(p.size)}
                    {p.verified ? ', pulled back and verified' : ''}
                  </span>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card deploy-manifest" aria-label="Manifest">
        <div className="card-header">
          <h3>WorkloadDeployment</h3>
          <div className="deploy-form compact">
            <label className="inline-field">
              Replicas
              <input
                className="input input-narrow"
                type="number"
                min={0}
                max={MAX_REPLICAS}
                value={replicasText}
                aria-invalid={!replicasValid}
                onChange={(e) => {
                  setReplicasText(e.target.value);
                  const replicas = replicaCount(e.target.value);
                  if (replicas !== undefined) state.setForm({ replicas });
                }}
                aria-label="Replicas"
              />
            </label>
            <label className="inline-field">
              Host
              <input className="input mono" value={form.host} placeholder={view ? `${view.name}.localhost` : 'app.example.com'} onChange={(e) => state.setForm({ host: e.target.value })} aria-label="Host" spellCheck={false} />
            </label>
          </div>
        </div>
        <div className="toolbar deploy-toolbar">
          <span className={errors.length || stale ? 'bad' : 'ok'} data-testid="manifest-status">
            {state.generating ? 'Generating…' : stale ? 'Out of date: fix the options, and it is generated again' : errors.length ? `${errors.length} error${errors.length === 1 ? '' : 's'}` : manifest ? 'Valid against wasmCloud\'s CRD' : ''}
          </span>
          {!replicasValid && <span className="bad small" role="alert">Replicas is a whole number from 0 to {MAX_REPLICAS.toLocaleString('en-US')}.</span>}
          {form.replicas === 0 && !state.edited && <span className="muted small" data-testid="no-replicas">0 replicas: nothing runs until it is scaled up</span>}
          {state.edited && <span className="muted small" data-testid="manifest-edited">edited by you: Replicas and Host change it again only after Regenerate, which drops your edits</span>}
          <span className="toolbar-spacer" />
          <button className="btn" onClick={() => (state.edited ? setConfirmRegenerate(true) : void state.generate())} title={state.edited ? 'Throw away your edits and generate it again' : 'Generate it again from the config and the build'}>
            {state.edited ? 'Regenerate' : 'Refresh'}
          </button>
          <button className="btn" disabled={!manifest || stale} onClick={() => copy(manifest, 'the manifest')}>
            Copy
          </button>
          <button className="btn" disabled={!manifest || stale} onClick={() => downloadBlob(manifest, `${view?.name ?? project.name}.yaml`, 'application/yaml')}>
            Save…
          </button>
          <button
            className="btn btn-primary"
            disabled={!view?.kubectl.available || errors.length > 0 || state.applying || !manifest || stale}
            title={!view ? undefined : view.kubectl.available ? `kubectl apply to the context ${view.kubectl.context}` : view.kubectl.reason}
            onClick={() => void state.apply()}
          >
            {state.applying ? 'Applying…' : 'Apply'}
          </button>
        </div>
        {view && (
          <ul className="deploy-images" aria-label="Images">
            {view.artifacts.map((a) => (
              <li key={a.name}>
                <span className="muted">{a.role === 'service' ? 'service' : 'component'}</span> <strong>{a.name}</strong> runs <code data-testid="artifact-image">{a.pinned ?? a.image}</code>
                <span className="muted small">{a.pinned ? ' pinned to the digest pushed' : a.built ? ' not pushed from here yet' : ' not built yet'}</span>
              </li>
            ))}
          </ul>
        )}
        {state.generateError && <ErrorNote error={state.generateError} title="The manifest could not be generated" />}
        {confirmRegenerate && (
          <ConfirmDialog
            title="Regenerate the manifest?"
            confirmLabel="Regenerate"
            onCancel={() => setConfirmRegenerate(false)}
            onConfirm={() => {
              setConfirmRegenerate(false);
              void state.generate();
            }}
          >
            <p>This generates it again from the config, the build and the fields above, and drops your edits to it. Copy or save it first to keep them.</p>
          </ConfirmDialog>
        )}
        <div className="deploy-editor">
          <CodeEditor value={manifest} language="yaml" onChange={(text) => state.edit(text)} markers={markers} label="WorkloadDeployment manifest" />
        </div>
        {problems.length > 0 && (
          <ul className="deploy-problems" aria-label="Problems">
            {problems.map((p, i) => (
              <li key={i} className={p.severity === 'error' ? 'bad' : 'warn'}>
                {p.line !== undefined && <span className="muted">line {p.line}: </span>}
                {problemText(p)}
              </li>
            ))}
          </ul>
        )}
        {view && (
          <p className="muted small deploy-kubectl">
            {view.kubectl.available ? (
              <>
                Apply uses your kubectl, context <code>{view.kubectl.context}</code>.
              </>
            ) : (
              <>
                {view.kubectl.reason} Save the manifest and run <code>{view.applyCommand}</code>{' '}
                <button className="link-btn small" onClick={() => copy(view.applyCommand, 'the command')}>
                  copy
                </button>{' '}
                where kubectl reaches the cluster.
              </>
            )}
          </p>
        )}
        {state.applyError && <ErrorNote error={state.applyError} title="kubectl apply failed" />}
        {state.applied && (
          <div className="notice" role="status">
            Applied to <code>{state.applied.context}</code>: <pre className="deploy-output">{state.applied.output}</pre>
          </div>
        )}
        {view && view.notes.length > 0 && (
          <div className="deploy-notes">
            <h4>Notes</h4>
            <ul>
              {view.notes.map((n, i) => (
                <li key={i}>{n}</li>
              ))}
            </ul>
          </div>
        )}
      </section>
    </div>
  );
}
