import { revealHidden } from '../lib/visible-text.ts';
import { useStudio } from '../stores/studio-store.ts';
import { useUi, VIEWS } from '../stores/ui-store.ts';
import { ReloadIndicator } from './ReloadIndicator.tsx';
import { viewShortcut } from './shortcuts.ts';

export function Sidebar() {
  const view = useUi((s) => s.view);
  const setView = useUi((s) => s.setView);
  const project = useStudio((s) => s.project);
  return (
    <nav className="sidebar" aria-label="Views">
      <div className="brand">
        <div className="brand-mark" aria-hidden>
          ◆
        </div>
        <div className="brand-text">
          <div className="brand-name">Component Studio</div>
          <div className="brand-project" title={project?.path}>
            {project ? revealHidden(project.name) : 'No project yet'}
          </div>
        </div>
      </div>
      <ul className="nav-list">
        {VIEWS.map((v, i) => (
          <li key={v.id}>
            <button className={`nav-item ${v.id === view ? 'active' : ''}`} aria-current={v.id === view ? 'page' : undefined} data-view={v.id} title={`${v.label} (${viewShortcut(i)})`} onClick={() => setView(v.id)}>
              <span className="nav-icon" aria-hidden>
                {v.icon}
              </span>
              <span className="nav-label">{v.label}</span>
              <kbd className="nav-kbd">{viewShortcut(i)}</kbd>
            </button>
          </li>
        ))}
      </ul>
      <div className="sidebar-foot">
        <button className="help-link" title="Keyboard shortcuts (?)" onClick={() => useUi.getState().setHelpOpen(true)}>
          <kbd>?</kbd> <span className="help-link-text">Shortcuts</span>
        </button>
        <ReloadIndicator />
      </div>
    </nav>
  );
}
