// The project's checks (.wash/checks/*.json) and their latest run, kept current from
// 'checks.ran': the reload indicator shows the run ("12/12 checks pass"), the Traffic view's
// Checks tab shows the results and the files. They are the open project's: they start again
// when another project opens (projectScope).
import { create } from 'zustand';
import { describeError } from '../api/api-error.ts';
import { studio } from '../api/client.ts';
import type { CheckRun, ChecksView } from '../api/types.ts';
import { projectScope } from './project-scope.ts';
import { useUi } from './ui-store.ts';

interface ChecksState {
  view: ChecksView | undefined;
  run: CheckRun | undefined;
  running: boolean;
  /** The result (file and index) whose comparison is open in the Checks tab. */
  focus: { file: string; index: number } | undefined;
  /** Which tab of the Traffic view is shown. */
  tab: 'requests' | 'checks';
  setTab(tab: 'requests' | 'checks'): void;
  load(): Promise<void>;
  runNow(): Promise<void>;
  setFocus(focus: { file: string; index: number } | undefined): void;
  start(): void;
}

let started = false;

export const useChecks = create<ChecksState>((set, get) => ({
  view: undefined,
  run: undefined,
  running: false,
  focus: undefined,
  tab: 'requests',
  setTab: (tab) => {
    set({ tab });
    // Check files change on disk too (pinned, edited by hand): the tab shows them as they are.
    if (tab === 'checks') void get().load();
  },

  async load() {
    try {
      const view = await projectScope.call('checks.list', {});
      set({ view, run: view.lastRun ?? get().run });
    } catch {
      // No project open: the scope loads the checks once one is ready.
    }
  },

  async runNow() {
    set({ running: true });
    try {
      set({ run: await projectScope.call('checks.run', {}), running: false });
    } catch (err) {
      set({ running: false });
      useUi.getState().toast({ tone: 'error', title: 'Could not run the checks', detail: describeError(err).message });
    }
  },

  setFocus: (focus) => set({ focus }),

  start() {
    if (started) return;
    started = true;
    studio.on('checks.ran', (run) => {
      set({ run });
      void get().load();
      if (run.failed > 0) {
        useUi.getState().toast(
          {
            tone: 'error',
            title: `${run.failed} of ${run.results.length} checks failed${run.build !== undefined ? ` on build ${run.build}` : ''}`,
            detail: run.results.find((r) => !r.passed)?.name ?? '',
            action: { label: 'Show', run: () => showFailedCheck(run) },
          },
          8000,
        );
      }
    });
    projectScope.follow({
      reset: () => set({ view: undefined, run: undefined, running: false, focus: undefined }),
      load: () => void get().load(),
    });
  },
}));

/** Opens the Traffic view's Checks tab on the first failed check of a run. */
export function showFailedCheck(run: CheckRun | undefined): void {
  const failed = run?.results.find((r) => !r.passed);
  useChecks.getState().setFocus(failed ? { file: failed.file, index: failed.index } : undefined);
  useChecks.getState().setTab('checks');
  useUi.getState().setView('traffic');
}
