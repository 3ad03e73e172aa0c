// The shell: sidebar, the views (kept mounted so switching keeps their state), toasts,
// the build output dialog and the shortcut help. Global shortcuts live here; a view's own
// shortcuts live in the view and act only while it is shown.
import { useEffect } from 'react';
import { studio } from '../api/client.ts';
import { describeError } from '../api/api-error.ts';
import { dialogShown } from '../components/Dialog.tsx';
import { ErrorBoundary } from '../components/ErrorBoundary.tsx';
import { useStudio } from '../stores/studio-store.ts';
import { useUi, viewOfHash, VIEWS, type ViewId } from '../stores/ui-store.ts';
import { BlobsView } from '../views/blobs/BlobsView.tsx';
import { DataView } from '../views/data/DataView.tsx';
import { DeployView } from '../views/deploy/DeployView.tsx';
import { HttpView } from '../views/http/HttpView.tsx';
import { KvView } from '../views/kv/KvView.tsx';
import { LogsView } from '../views/logs/LogsView.tsx';
import { SettingsView } from '../views/settings/SettingsView.tsx';
import { TrafficView } from '../views/traffic/TrafficView.tsx';
import { WorkloadsView } from '../views/workloads/WorkloadsView.tsx';
import { BuildOutputDialog } from './BuildOutputDialog.tsx';
import { HelpOverlay } from './HelpOverlay.tsx';
import { isEditable, isMod } from './shortcuts.ts';
import { Sidebar } from './Sidebar.tsx';
import { Toasts } from './Toasts.tsx';
import { focusAfterRender } from '../lib/focus-after-render.ts';

const VIEW_COMPONENTS: Record<ViewId, () => React.JSX.Element> = {
  workloads: WorkloadsView,
  http: HttpView,
  logs: LogsView,
  kv: KvView,
  blobs: BlobsView,
  settings: SettingsView,
  deploy: DeployView,
  data: DataView,
  traffic: TrafficView,
};

export function App() {
  const view = useUi((s) => s.view);
  const helpOpen = useUi((s) => s.helpOpen);
  const buildOutputOpen = useUi((s) => s.buildOutputOpen);

  useEffect(() => useStudio.getState().start(), []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const ui = useUi.getState();
      const helpKey = e.key === '?' && !isEditable(e.target) && !isMod(e);
      // A dialog is modal: switching views would hide it with its typed text, and a rebuild
      // or the help would open behind it. The help is a dialog too, and `?` closes it as it
      // opened it.
      if (dialogShown() && !(helpKey && ui.helpOpen)) return;
      if (isMod(e) && !e.altKey && /^[1-9]$/.test(e.key)) {
        const target = VIEWS[Number(e.key) - 1];
        if (target) {
          e.preventDefault();
          ui.setView(target.id);
          // Into the view: the focus was in the one now hidden, or in the sidebar, and Tab
          // would start over there, several stops away from what the keys asked for.
          focusAfterRender(`section.view[data-view="${target.id}"]`);
        }
        return;
      }
      if (isMod(e) && e.shiftKey && e.key.toLowerCase() === 'b') {
        e.preventDefault();
        studio.call('project.rebuild', {}).then(
          () => ui.toast({ tone: 'info', title: 'Rebuilding…' }),
          (err) => ui.toast({ tone: 'error', title: 'Could not rebuild', detail: describeError(err).message }),
        );
        return;
      }
      if (helpKey) {
        e.preventDefault();
        ui.setHelpOpen(!ui.helpOpen);
      }
    };
    window.addEventListener('keydown', onKey);
    // Back and Forward (and an edited address) change the hash: show the view it names.
    const onHash = () => {
      const view = viewOfHash(location.hash);
      if (view) useUi.getState().setView(view);
    };
    window.addEventListener('hashchange', onHash);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('hashchange', onHash);
    };
  }, []);

  return (
    <div className="app">
      {/* The page's first Tab stop, shown only then: past the sidebar's ten stops to the view. A button, since the hash names the view. */}
      <button className="btn skip-link" onClick={() => focusAfterRender(`section.view[data-view="${view}"]`)}>
        Skip to the {VIEWS.find((v) => v.id === view)?.label ?? 'current'} view
      </button>
      <Sidebar />
      <main className="main">
        {VIEWS.map((v) => {
          const View = VIEW_COMPONENTS[v.id];
          return (
            <section key={v.id} className="view" data-view={v.id} hidden={v.id !== view} aria-label={v.label} tabIndex={-1}>
              <ErrorBoundary name={v.label}>
                <View />
              </ErrorBoundary>
            </section>
          );
        })}
      </main>
      <Toasts />
      {buildOutputOpen && <BuildOutputDialog />}
      {helpOpen && <HelpOverlay />}
    </div>
  );
}
