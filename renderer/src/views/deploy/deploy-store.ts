// The Deploy view's state: the registry and options (kept per project through ui.state, so
// they survive a restart), the manifest text as generated or as edited, its problems,
// and a push's progress and result. Everything crosses the Studio API (deploy.*). It is the
// open project's: it starts again when another project opens (projectScope).
import { create } from 'zustand';
import { describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import type { DeployProgressView, DeployView, ManifestProblemView, PushedArtifactView } from '../../api/types.ts';
import { booleanOr, fieldsOf, stringOr } from '../../lib/saved-state.ts';
import { projectScope } from '../../stores/project-scope.ts';

export interface DeployForm {
  repository: string;
  tag: string;
  replicas: number;
  host: string;
  insecure: boolean;
}

export type ErrorInfo = { message: string; hint?: string; code: string };

/** What the view shows: the project's, dropped for another's (see nothingLoaded). */
interface DeployShown {
  form: DeployForm;
  /** The project the form belongs to (its path); the form is loaded again when it changes. */
  projectPath: string | undefined;
  view: DeployView | undefined;
  manifest: string;
  /** True once the user typed in the editor: regenerating would throw the edits away. */
  edited: boolean;
  problems: ManifestProblemView[];
  generating: boolean;
  generateError: ErrorInfo | undefined;
  pushing: boolean;
  progress: Record<string, DeployProgressView>;
  pushed: PushedArtifactView[] | undefined;
  pushError: ErrorInfo | undefined;
  applying: boolean;
  applied: { output: string; context: string } | undefined;
  applyError: ErrorInfo | undefined;
}

interface DeployState extends DeployShown {
  setForm(patch: Partial<DeployForm>): void;
  load(projectPath: string, projectName: string): Promise<void>;
  generate(): Promise<void>;
  edit(text: string): void;
  push(login: { username: string; password: string }): Promise<void>;
  apply(): Promise<void>;
}

const formKey = (projectPath: string) => `component-studio.deploy.${projectPath}`;

/** A starting point that works with a registry on this machine (docs/deploy.md starts one). */
export function defaultForm(projectName: string): DeployForm {
  const repository = projectName.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-._]+|[-._]+$/g, '') || 'app';
  return { repository: `localhost:5000/${repository}`, tag: 'latest', replicas: 1, host: '', insecure: true };
}

/**
 * The saved form, field by field (lib/saved-state.ts says why): a field of the wrong type, or
 * replicas that are not a count, get the default's value, and the other fields stay.
 */
function savedForm(value: unknown, defaults: DeployForm): DeployForm {
  const saved = fieldsOf(value) ?? {};
  const replicas = saved.replicas;
  return {
    repository: stringOr(saved.repository, defaults.repository),
    tag: stringOr(saved.tag, defaults.tag),
    replicas: typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 0 ? replicas : defaults.replicas,
    host: stringOr(saved.host, defaults.host),
    insecure: booleanOr(saved.insecure, defaults.insecure),
  };
}

let validateTimer: ReturnType<typeof setTimeout> | undefined;
let validateSeq = 0;
let generateSeq = 0;
/** Stops following the push under way: its progress is the old project's once another opens. */
let stopProgress: (() => void) | undefined;

function nothingLoaded(): DeployShown {
  return {
    form: defaultForm('app'),
    projectPath: undefined,
    view: undefined,
    manifest: '',
    edited: false,
    problems: [],
    generating: false,
    generateError: undefined,
    pushing: false,
    progress: {},
    pushed: undefined,
    pushError: undefined,
    applying: false,
    applied: undefined,
    applyError: undefined,
  };
}

export const useDeploy = create<DeployState>((set, get) => ({
  ...nothingLoaded(),

  setForm(patch) {
    const form = { ...get().form, ...patch };
    set({ form });
    const path = get().projectPath;
    if (path) studio.call('ui.state.set', { key: formKey(path), value: form }).catch(() => {});
  },

  async load(projectPath, projectName) {
    set({ projectPath, form: defaultForm(projectName), view: undefined, manifest: '', edited: false, pushed: undefined, pushError: undefined, applied: undefined, applyError: undefined });
    try {
      const saved = (await projectScope.call('ui.state.get', { key: formKey(projectPath) })).value;
      if (saved !== null && get().projectPath === projectPath) set({ form: savedForm(saved, defaultForm(projectName)) });
    } catch {
      // No saved form: the defaults stand.
    }
  },

  async generate() {
    const { form } = get();
    // Only the newest request's answer counts: an older one (a slow first read of the
    // component, say) must not put back the options the user has since changed.
    const seq = ++generateSeq;
    set({ generating: true, generateError: undefined });
    try {
      const view = await projectScope.call('deploy.get', { repository: form.repository, tag: form.tag, replicas: form.replicas, ...(form.host.trim() ? { host: form.host.trim() } : {}) });
      if (seq === generateSeq) set({ view, manifest: view.manifest, problems: view.problems, edited: false });
    } catch (err) {
      if (seq === generateSeq) set({ generateError: describeError(err) });
    } finally {
      if (seq === generateSeq) set({ generating: false });
    }
  },

  edit(text) {
    set({ manifest: text, edited: true, applied: undefined });
    clearTimeout(validateTimer);
    // Checked as the user pauses, not on every key.
    validateTimer = setTimeout(() => {
      const seq = ++validateSeq;
      projectScope.call('deploy.validate', { manifest: text }).then(
        (check) => seq === validateSeq && set({ problems: check.problems }),
        (err) => seq === validateSeq && set({ problems: [{ severity: 'error', document: 0, path: '', message: describeError(err).message }] }),
      );
    }, 300);
  },

  async push(login) {
    const { form } = get();
    set({ pushing: true, pushError: undefined, pushed: undefined, progress: {} });
    const off = studio.on('deploy.progress', (p) => set({ progress: { ...get().progress, [p.artifact]: p } }));
    stopProgress = off;
    try {
      const result = await projectScope.call('deploy.push', {
        repository: form.repository,
        tag: form.tag,
        replicas: form.replicas,
        ...(form.host.trim() ? { host: form.host.trim() } : {}),
        ...(form.insecure ? { insecure: true } : {}),
        ...(login.username ? { username: login.username, password: login.password } : {}),
      });
      set({ pushed: result.pushed, view: result.deploy });
      // The pinned manifest replaces the generated one; edits stay, and the view offers to regenerate.
      if (!get().edited) set({ manifest: result.deploy.manifest, problems: result.deploy.problems });
    } catch (err) {
      // A failed push leaves no half-filled bars behind: the error says where it stopped.
      set({ pushError: describeError(err), progress: {} });
    } finally {
      off();
      set({ pushing: false });
    }
  },

  async apply() {
    set({ applying: true, applyError: undefined, applied: undefined });
    try {
      set({ applied: await projectScope.call('deploy.apply', { manifest: get().manifest }) });
    } catch (err) {
      set({ applyError: describeError(err) });
    } finally {
      set({ applying: false });
    }
  },
}));

projectScope.follow({
  reset() {
    generateSeq++;
    validateSeq++;
    clearTimeout(validateTimer);
    stopProgress?.();
    useDeploy.setState(nothingLoaded());
  },
  // Its own saved form, then its manifest.
  load(project) {
    if (project.path !== useDeploy.getState().projectPath) void useDeploy.getState().load(project.path, project.name).then(() => useDeploy.getState().generate());
  },
});
