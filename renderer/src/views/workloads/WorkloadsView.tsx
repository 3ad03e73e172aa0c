// Each workload: its state, the build it runs, when that build finished and how long it took,
// its WIT imports and exports, where it answers, and how it is doing (requests, failures,
// p50/p99); the components linked into it as a graph with the calls across each link; a
// service's state (running, restarting in N s after it ended, and how). Restart, stop, rebuild. A failed build shows its output, in colour, right here.
// Above them, how instances are used (reuse or fresh, and how that differs from wash), with
// the switch, and the components' environment (env in .wash/studio.yaml).
import { useRef, useState } from 'react';
import { describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import type { BuildView, InstanceMode, InstancesView, ProjectView, ServiceView, SocketsView, WorkloadState, WorkloadView } from '../../api/types.ts';
import { AnsiText } from '../../components/AnsiText.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { useNow } from '../../lib/clock.ts';
import { formatAgo, formatCount, formatMs } from '../../lib/format.ts';
import { useFocusableWhileScrolling } from '../../lib/scroll-focus.ts';
import { onRadioGroupKeyDown, tabStop } from '../../lib/tab-list-keyboard.ts';
import { failureTitle, reloadState, useStudio, versionName } from '../../stores/studio-store.ts';
import { modKey, useUi } from '../../stores/ui-store.ts';
import { ChainGraph } from './ChainGraph.tsx';
import { EnvironmentCard } from './EnvironmentCard.tsx';
import { revealHidden } from '../../lib/visible-text.ts';

async function act(label: string, run: () => Promise<unknown>) {
  try {
    await run();
    useUi.getState().toast({ tone: 'info', title: label });
  } catch (err) {
    const e = describeError(err);
    useUi.getState().toast({ tone: 'error', title: e.message, ...(e.hint ? { detail: e.hint } : {}) }, 8000);
  }
}

function InterfaceList({ title, items }: { title: string; items: string[] }) {
  return (
    <div className="iface-col">
      <h4>
        {title} <span className="count">{items.length}</span>
      </h4>
      {items.length === 0 ? (
        <div className="muted small">none</div>
      ) : (
        <ul className="iface-list">
          {items.map((i) => (
            <li key={i}>
              <code>{i}</code>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const ROUTES: Record<SocketsView['connections'][number]['route'], string> = {
  virtual: 'virtual loopback',
  'host-loopback': "this machine's loopback",
  network: 'network',
};

/** Ports its components listen on in the workload, and the connections open now with where each goes. */
function Sockets({ sockets }: { sockets: SocketsView }) {
  return (
    <div className="sockets" aria-label="Sockets">
      <h4>Sockets</h4>
      {sockets.listening.length > 0 && (
        <p className="small">
          listening on {sockets.listening.map((l) => <code key={`${l.component} ${l.address}`}>{l.address}</code>)} (in this workload only)
        </p>
      )}
      {sockets.connections.length > 0 && (
        <ul className="socket-list small">
          {sockets.connections.map((c, i) => (
            <li key={`${c.local}-${c.remote}-${i}`}>
              <code>{c.local}</code> → <code>{c.remote}</code> <span className="muted">{c.component} · {ROUTES[c.route]}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A service's state in a sentence: since when it runs, or when it starts again and why it ended. */
function ServiceState({ service, now }: { service: ServiceView; now: number }) {
  const starts = service.starts > 1 ? ` · started ${service.starts} times` : '';
  switch (service.state) {
    case 'running':
      return <span>running{service.since ? ` since ${formatAgo(service.since, now)}` : ''}{starts}</span>;
    case 'restarting':
      return (
        <span className="bad">
          {service.ended} · starting again in {Math.max(0, Math.ceil(((service.restartAt ?? now) - now) / 1000))} s{starts}
        </span>
      );
    case 'starting':
      return <span>starting…</span>;
    case 'stopped':
      return <span>stopped</span>;
  }
}

/** Builds the project again, or loads a .wasm file again (which has no build). */
function RebuildButton({ project }: { project: Pick<ProjectView, 'kind'> | undefined }) {
  const file = project?.kind === 'file';
  return (
    <button className="btn btn-primary" title={`${file ? 'Load the .wasm file again' : 'Rebuild the project'} (${modKey}+Shift+B)`} onClick={() => void act(file ? 'Loading again…' : 'Rebuilding…', () => studio.call('project.rebuild', {}))}>
      {file ? '⟳ Load again' : '⚒ Rebuild'}
    </button>
  );
}

function WorkloadCard({ workload, build, now, project }: { workload: WorkloadView; build: BuildView | undefined; now: number; project: Pick<ProjectView, 'kind'> | undefined }) {
  const [showWit, setShowWit] = useState(false);
  const service = workload.service;
  const finished = build ? build.startedAt + (build.totalMs ?? build.buildMs ?? 0) : undefined;
  // No version of it has started yet (the first build runs or failed): nothing to restart or stop, nothing known of its world.
  const nothingRuns = workload.build === undefined && (workload.state === 'failed' || workload.state === 'building');
  return (
    <article className="card workload-card" data-state={workload.state} aria-label={`Workload ${workload.name}`}>
      <header className="card-header">
        <div className="card-title">
          <span className="state-pill" data-state={workload.state}>
            {workload.state}
          </span>
          <h3>{workload.name}</h3>
          {service && <span className="kind-tag">service</span>}
          {workload.build !== undefined && <span className="muted">{versionName(project, workload.build)}</span>}
        </div>
        <div className="card-actions">
          {/* A stopped workload starts again the same way: fresh instances of the build it serves. */}
          <button className="btn" disabled={nothingRuns} title={nothingRuns ? 'No version of it runs yet' : 'Start fresh instances of this workload'} onClick={() => void act(`${workload.state === 'stopped' ? 'Started' : 'Restarted'} ${workload.name}`, () => studio.call('workloads.restart', { name: workload.name }))}>
            {workload.state === 'stopped' ? '▶ Start' : '↻ Restart'}
          </button>
          <button className="btn" disabled={workload.state === 'stopped' || nothingRuns} title={nothingRuns ? 'No version of it runs yet' : 'Stop serving this workload'} onClick={() => void act(`Stopped ${workload.name}`, () => studio.call('workloads.stop', { name: workload.name }))}>
            ■ Stop
          </button>
          <RebuildButton project={project} />
        </div>
      </header>

      {service && (
        <p className="service-state" data-testid="service-state">
          <ServiceState service={service} now={now} />
        </p>
      )}
      {!service && (
        <div className="stat-row">
          <div className="stat" title={build ? `When ${versionName(project, build.number)}, the one serving, was ready` : undefined}>
            <div className="stat-label">{workload.state === 'stopped' ? 'Serving' : 'Serving since'}</div>
            <div className="stat-value">{workload.state === 'stopped' ? 'stopped' : finished ? formatAgo(finished, now) : '—'}</div>
          </div>
          {/* A .wasm file served as it is has no build. */}
          {project?.kind !== 'file' && (
            <div className="stat">
              <div className="stat-label">Build time</div>
              <div className="stat-value">{formatMs(build?.buildMs)}</div>
            </div>
          )}
          <div className="stat">
            <div className="stat-label">Ready in</div>
            <div className="stat-value">{formatMs(build?.totalMs)}</div>
          </div>
          <div className="stat">
            <div className="stat-label">Requests</div>
            <div className="stat-value" data-testid="requests">
              {formatCount(workload.requests)}
            </div>
          </div>
          <div className="stat" title="Requests the studio had to answer for the component: a trap (500), a timeout (504), no response set. Statuses the component sends itself, its own 500s included, are not counted here.">
            <div className="stat-label">Traps &amp; timeouts</div>
            <div className={`stat-value ${workload.failures > 0 ? 'bad' : ''}`}>{formatCount(workload.failures)}</div>
          </div>
          <div className="stat">
            <div className="stat-label">p50 / p99</div>
            <div className="stat-value">
              {formatMs(workload.p50Ms)} / {formatMs(workload.p99Ms)}
            </div>
          </div>
        </div>
      )}

      <div className="urls">
        {service ? (
          <span className="muted small">A service: it runs wasi:cli/run for as long as the workload runs, and answers no route.</span>
        ) : workload.urls.length === 0 ? (
          <span className="muted small">{notAnswering(workload.state)}</span>
        ) : (
          workload.urls.map((u) => (
            <a key={u} href={u} target="_blank" rel="noreferrer" className="url-link">
              {u} ↗
            </a>
          ))
        )}
        <span className="muted small">
          {[...(service ? [] : [`${workload.workers} worker${workload.workers === 1 ? '' : 's'}`, `instances: ${workload.instanceStrategy}`]), revealHidden(workload.wasmPath ?? '')].filter(Boolean).join(' · ')}
        </span>
      </div>

      {workload.sockets && <Sockets sockets={workload.sockets} />}
      {workload.chain.length > 1 && (
        <div className="chain-section">
          <h4>Linked components</h4>
          <ChainGraph chain={workload.chain} />
        </div>
      )}
      {nothingRuns ? (
        <p className="muted small">Its imports and exports show once a version of it starts.</p>
      ) : (
        <div className="iface-grid">
          <InterfaceList title="Imports" items={workload.imports} />
          <InterfaceList title="Exports" items={workload.exports} />
        </div>
      )}
      {workload.witText && (
        <div>
          <button className="link-btn" onClick={() => setShowWit(!showWit)}>
            {showWit ? '▾ Hide WIT world' : '▸ Show WIT world'}
          </button>
          {showWit && <WitText text={workload.witText} />}
        </div>
      )}
    </article>
  );
}

/** Where the mode comes from and where a switch goes, in the user's terms. */
function instancesSource(instances: InstancesView): string {
  const file = '.wash/studio.yaml';
  switch (instances.from) {
    case 'studio-settings':
      return `Kept in ${file}, the studio's own settings for this project (wash does not read it).`;
    case 'flag':
      return `Set by --instances for this run. Switching saves the choice in ${file} and replaces the flag.`;
    case 'this-run':
      return 'Switched for this run: a .wasm file has no project to keep the choice in.';
    case 'default':
      return instances.settingsPath ? `The default. Switching saves the choice in ${file}, so it lasts.` : 'The default. A .wasm file has no project to keep a choice in: switching lasts for this run.';
  }
}

function InstancesCard({ instances }: { instances: InstancesView }) {
  const [switching, setSwitching] = useState<InstanceMode>();
  const choose = async (mode: InstanceMode) => {
    if (mode === instances.mode || switching) return;
    setSwitching(mode);
    await act(`Instances: ${mode}${instances.settingsPath ? ', saved in .wash/studio.yaml' : ', for this run'}`, () => studio.call('workloads.setInstances', { mode }));
    setSwitching(undefined);
  };
  const modes: { mode: InstanceMode; label: string; title: string }[] = [
    { mode: 'fresh', label: 'fresh, as wash', title: 'Every request starts from a just-started instance, as under wash dev (the default)' },
    { mode: 'reuse', label: 'reuse', title: 'An instance serves request after request, and state survives between requests' },
  ];
  return (
    <section className="card instances-card" aria-label="Instances">
      <div className="instances-head">
        <h3>Instances</h3>
        {/* aria-disabled, not disabled, while a switch runs: a disabled radio would drop the focus the arrow keys put there. */}
        <div className="segmented" role="radiogroup" aria-label="Instance mode" onKeyDown={onRadioGroupKeyDown}>
          {modes.map(({ mode, label, title }) => (
            <button key={mode} role="radio" aria-checked={instances.mode === mode} tabIndex={tabStop(instances.mode === mode)} className={instances.mode === mode ? 'active' : ''} title={title} aria-disabled={switching !== undefined || undefined} onClick={() => void choose(mode)}>
              {label}
            </button>
          ))}
        </div>
        {switching && <span className="muted small">starting {switching} instances…</span>}
      </div>
      <p className="small">
        {instances.mode === 'reuse'
          ? 'Unlike wash dev, which gives every request a new instance, one instance here serves request after request: what a component keeps in memory (a global, a module variable) survives between requests, which it would not under wash.'
          : 'Every request starts from a just-started instance, as under wash dev: nothing a component keeps in memory survives from one request to the next. (The studio puts the instance back to how it started after each request: about as fast as reuse for a small component, a third to half as fast for a large one such as a JavaScript component, whose memory it copies back.)'}
      </p>
      <p className="muted small" data-testid="instances-source">
        {instancesSource(instances)}
      </p>
    </section>
  );
}

export function WorkloadsView() {
  const workloads = useStudio((s) => s.workloads);
  const builds = useStudio((s) => s.builds);
  const project = useStudio((s) => s.project);
  const instances = useStudio((s) => s.settings?.instances);
  const environment = useStudio((s) => s.settings?.environment);
  const loadError = useStudio((s) => s.loadError);
  const now = useNow(5000);
  const state = reloadState(builds);
  const failed = state.kind === 'failed' ? state.build : undefined;

  return (
    <div className="view-scroll">
      <header className="view-header">
        <div>
          <h1>Workloads</h1>
          <p className="muted">{project ? `${project.kind === 'file' ? 'Component file' : 'Project'} ${revealHidden(project.path)}` : 'What runs, what it imports and exports, and how it answers.'}</p>
        </div>
        {project?.gatewayUrl && (
          <a className="btn" href={project.gatewayUrl} target="_blank" rel="noreferrer">
            Open {project.gatewayUrl} ↗
          </a>
        )}
      </header>
      {loadError && <ErrorNote error={{ code: 'unreachable', message: loadError }} title="Could not load the project" onRetry={() => void useStudio.getState().refresh()} />}
      {failed && (
        <section className="card failed-build" aria-label="Failed build">
          <header className="card-header">
            <div className="card-title">
              <span className="state-pill" data-state="failed">
                {project?.kind === 'file' ? 'cannot start' : 'build failed'}
              </span>
              <h3>{failureTitle(project, failed.number)}</h3>
              {state.kind === 'failed' && state.serving && <span className="muted">still serving {versionName(project, state.serving.number)}</span>}
            </div>
            <RebuildButton project={project} />
          </header>
          {failed.error && (
            <p>
              <strong>{failed.error.message}</strong>
              {failed.error.hint && <span className="muted"> — {failed.error.hint}</span>}
            </p>
          )}
          {failed.output && <AnsiText className="build-output" text={failed.output} />}
        </section>
      )}
      {state.kind === 'building' && !state.serving && (
        <div className="notice building-notice" role="status">
          <span className="spinner" />{' '}
          {project?.kind === 'file'
            ? `Loading version ${state.build.number}… The first time, jco transpiles the component (about a second; longer for a large one); later starts come from the cache.`
            : `Building #${state.build.number}… A first build with componentize-js takes 10-30 s; later builds come from the cache.`}
        </div>
      )}
      {workloads.length === 0 && !loadError ? (
        <EmptyState title="No workload yet" icon="◧">
          {state.kind === 'building' ? (
            <p>The first build is running. The workload appears here as soon as it serves.</p>
          ) : (
            <p>
              Open a project (a folder with <code>.wash/</code>) or a <code>.wasm</code> component under <strong>Settings</strong>, or start the studio with <code>component-studio dev path/to/project</code>.
            </p>
          )}
        </EmptyState>
      ) : (
        <div className="card-list">
          {workloads.map((w) => (
            <WorkloadCard key={w.name} workload={w} now={now} project={project} build={builds.find((b) => b.number === w.build)} />
          ))}
        </div>
      )}
      {/* What runs comes first; how it runs (settings a user changes now and then) after it. */}
      {project && instances && <InstancesCard instances={instances} />}
      {project && environment && <EnvironmentCard environment={environment} servedFile={project.kind === 'file'} />}
    </div>
  );
}

/** Why a workload has no URL, from its state. */
function notAnswering(state: WorkloadState): string {
  switch (state) {
    case 'building':
      return 'Not answering HTTP yet: it answers once its first build is served.';
    case 'failed':
      return 'Not answering HTTP: it could not start (its error is above, and in Logs).';
    case 'stopped':
      return 'Not answering HTTP: stopped. Start it to serve again.';
    default:
      return 'Not answering HTTP: it exports no wasi:http/incoming-handler.';
  }
}

/** The workload's WIT world, in a box that scrolls (and so takes the focus while it does). */
function WitText({ text }: { text: string }) {
  const ref = useRef<HTMLPreElement>(null);
  useFocusableWhileScrolling(ref);
  return (
    <pre className="wit-text" ref={ref} role="region" aria-label="WIT world">
      {text}
    </pre>
  );
}
