// The project, its builds and its workloads, kept current from the Studio API's events. The
// shell's reload indicator and the Workloads and Settings views read it. On reconnect it
// reloads everything, since events may have been missed while the socket was down. Every
// ProjectView it gets goes on to the project scopes, which start the other views again when
// another project opens (stores/project-scope.ts).
import { create } from 'zustand';
import { describeError } from '../api/api-error.ts';
import { studio } from '../api/client.ts';
import type { BuildView, ProjectView, SettingsView, WorkloadView } from '../api/types.ts';
import type { ConnectionState } from '../api/websocket-api.ts';
import { formatMs } from '../lib/format.ts';
import { projectSeen } from './project-scope.ts';
import { useUi } from './ui-store.ts';

export type ReloadState =
  | { kind: 'starting' }
  | { kind: 'building'; build: BuildView; serving: BuildView | undefined }
  | { kind: 'serving'; build: BuildView }
  | { kind: 'failed'; build: BuildView; serving: BuildView | undefined };

interface StudioState {
  connection: ConnectionState;
  project: ProjectView | undefined;
  loadError: string | undefined;
  builds: BuildView[];
  workloads: WorkloadView[];
  settings: SettingsView | undefined;
  start(): void;
  /** Reads the project, workloads and settings again; `reconnected`: the other views reload too. */
  refresh(reconnected?: boolean): Promise<void>;
}

function mergeBuild(builds: BuildView[], build: BuildView): BuildView[] {
  const others = builds.filter((b) => b.number !== build.number);
  return [...others, build].sort((a, b) => a.number - b.number).slice(-50);
}

/** What versions are called: a project's builds; a .wasm file served as it is has no build, only versions of the file. */
export function versionNoun(project: Pick<ProjectView, 'kind'> | undefined): 'build' | 'version' {
  return project?.kind === 'file' ? 'version' : 'build';
}

/** What one version is called: `build 3`, or `version 3` of a .wasm file. */
export function versionName(project: Pick<ProjectView, 'kind'> | undefined, build: number): string {
  return `${versionNoun(project)} ${build}`;
}

/** Why a build (a .wasm file's version) ran, in words, from the session's reason code. */
export function buildCause(project: Pick<ProjectView, 'kind'> | undefined, reason: string): string {
  const file = project?.kind === 'file';
  switch (reason) {
    case 'start':
      return file ? 'first start' : 'first build';
    case 'change':
      return file ? 'the file changed' : 'a file changed';
    case 'manual':
      return file ? 'loaded again on request' : 'rebuilt on request';
    default:
      return reason;
  }
}

/** What a failed version is called: a project's build failed; a .wasm file's version cannot start. */
export function failureTitle(project: Pick<ProjectView, 'kind'> | undefined, build: number): string {
  return project?.kind === 'file' ? `Version ${build} cannot start` : `Build ${build} failed`;
}

export function reloadState(builds: BuildView[]): ReloadState {
  const latest = builds[builds.length - 1];
  if (!latest) return { kind: 'starting' };
  const serving = [...builds].reverse().find((b) => b.outcome === 'ok');
  if (latest.outcome === 'running') return { kind: 'building', build: latest, serving };
  if (latest.outcome === 'failed') return { kind: 'failed', build: latest, serving };
  if (latest.outcome === 'cancelled') return serving ? { kind: 'serving', build: serving } : { kind: 'building', build: latest, serving };
  return { kind: 'serving', build: latest };
}

let started = false;

export const useStudio = create<StudioState>((set, get) => ({
  connection: studio.connectionState(),
  project: undefined,
  loadError: undefined,
  builds: [],
  workloads: [],
  settings: undefined,

  async refresh(reconnected = false) {
    try {
      const [project, workloads, settings] = await Promise.all([
        studio.call('project.get', {}),
        studio.call('workloads.list', {}),
        studio.call('settings.get', {}),
      ]);
      set({ project, workloads, settings, builds: [...project.builds].sort((a, b) => a.number - b.number), loadError: undefined });
      projectSeen(project, reconnected);
    } catch (err) {
      set({ loadError: describeError(err).message });
    }
  },

  start() {
    if (started) return;
    started = true;
    // After the first 'open', another is a reconnect: the views load again, events may have
    // been missed meanwhile.
    let opened = false;
    studio.onConnection((connection) => {
      set({ connection });
      if (connection !== 'open') return;
      void get().refresh(opened);
      opened = true;
    });
    studio.on('project.changed', (project) => {
      set({ project, builds: [...project.builds].sort((a, b) => a.number - b.number) });
      projectSeen(project);
      void studio.call('settings.get', {}).then((settings) => set({ settings }), () => {});
    });
    studio.on('workloads.changed', (workloads) => set({ workloads }));
    studio.on('build.changed', (build) => {
      const before = get().builds.find((b) => b.number === build.number);
      set({ builds: mergeBuild(get().builds, build) });
      if (before?.outcome === build.outcome) return;
      const ui = useUi.getState();
      if (build.outcome === 'ok' && build.number > 1) {
        ui.toast({ tone: 'success', title: `Reloaded: ${versionName(get().project, build.number)}`, detail: `${build.reason ? `${buildCause(get().project, build.reason)} · ` : ''}ready in ${formatMs(build.totalMs ?? build.buildMs)}`, topic: 'build' });
      } else if (build.outcome === 'failed') {
        ui.toast(
          {
            tone: 'error',
            title: failureTitle(get().project, build.number),
            detail: build.error?.message ?? 'See the build output.',
            action: { label: 'Show output', run: () => useUi.getState().setBuildOutputOpen(true) },
            topic: 'build',
          },
          8000,
        );
      }
    });
    // The socket may have opened before this listener was added.
    set({ connection: studio.connectionState() });
    if (studio.connectionState() === 'open') opened = true;
    void get().refresh();
  },
}));

