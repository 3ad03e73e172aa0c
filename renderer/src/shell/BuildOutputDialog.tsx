// The latest builds with their outcome and, for a failed one, the build tool's output in colour.
import { useState } from 'react';
import { studio } from '../api/client.ts';
import { describeError } from '../api/api-error.ts';
import { AnsiText } from '../components/AnsiText.tsx';
import { Dialog } from '../components/Dialog.tsx';
import { Ago } from '../components/Ago.tsx';
import { formatMs } from '../lib/format.ts';
import { buildCause, useStudio } from '../stores/studio-store.ts';
import { useUi } from '../stores/ui-store.ts';

export function BuildOutputDialog() {
  const builds = useStudio((s) => s.builds);
  const project = useStudio((s) => s.project);
  const close = () => useUi.getState().setBuildOutputOpen(false);
  const recent = [...builds].reverse().slice(0, 20);
  const [selected, setSelected] = useState(recent.find((b) => b.outcome === 'failed')?.number ?? recent[0]?.number);
  const build = builds.find((b) => b.number === selected);
  const rebuild = () =>
    studio.call('project.rebuild', {}).catch((err) => useUi.getState().toast({ tone: 'error', title: 'Rebuild failed to start', detail: describeError(err).message }));

  return (
    <Dialog
      title="Builds"
      wide
      onClose={close}
      footer={
        <button className="btn btn-primary" onClick={() => void rebuild()}>
          Rebuild now
        </button>
      }
    >
      {recent.length === 0 ? (
        <p className="muted">No build yet. The first one starts when the project opens.</p>
      ) : (
        <div className="builds-layout">
          <ul className="build-list" aria-label="Builds">
            {recent.map((b) => (
              <li key={b.number}>
                <button className={`build-item ${b.number === selected ? 'active' : ''}`} aria-current={b.number === selected ? 'true' : undefined} data-outcome={b.outcome} onClick={() => setSelected(b.number)}>
                  <span className="dot" />#{b.number} <span className="muted">{b.outcome}</span>
                  <span className="muted small">
                    <Ago at={b.startedAt} />
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {build && (
            <div className="build-detail">
              <div className="kv-grid">
                <span>Reason</span>
                <span>{build.reason ? buildCause(project, build.reason) : '—'}</span>
                <span>Build</span>
                <span>{formatMs(build.buildMs)}</span>
                <span>Start</span>
                <span>{formatMs(build.startMs)}</span>
                <span>Total</span>
                <span>{formatMs(build.totalMs)}</span>
              </div>
              {build.error && (
                <div className="error-note">
                  <div className="error-title">{build.error.message}</div>
                  {build.error.hint && <div className="error-hint">{build.error.hint}</div>}
                </div>
              )}
              {build.output ? <AnsiText className="build-output" text={build.output} /> : <p className="muted">{build.outcome === 'failed' ? 'The build tool printed nothing.' : 'Output is kept for failed builds.'}</p>}
            </div>
          )}
        </div>
      )}
    </Dialog>
  );
}
