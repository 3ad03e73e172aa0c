// Always visible at the bottom of the sidebar: what the live reload loop is doing. Building,
// serving build N, or build failed (still serving the last good build); click for the build's
// coloured output. Below it, the checks of the build serving ("12/12 checks pass", or what
// failed), with a click to the comparison.
import { type ReactNode, useEffect } from 'react';
import { showFailedCheck, useChecks } from '../stores/checks-store.ts';
import { studio } from '../api/client.ts';
import { buildCause, failureTitle, reloadState, useStudio, versionName } from '../stores/studio-store.ts';
import { modKey, useUi } from '../stores/ui-store.ts';
import { capitalized, formatMs } from '../lib/format.ts';
import { useElapsedSeconds } from '../lib/clock.ts';

export function ReloadIndicator() {
  const builds = useStudio((s) => s.builds);
  const connection = useStudio((s) => s.connection);
  const workloads = useStudio((s) => s.workloads);
  const project = useStudio((s) => s.project);
  const open = useUi((s) => s.setBuildOutputOpen);
  const setView = useUi((s) => s.setView);
  const state = reloadState(builds);
  const run = useChecks((s) => s.run);
  useEffect(() => useChecks.getState().start(), []);
  const elapsed = useElapsedSeconds(state.kind === 'building' ? state.build.startedAt : undefined);

  if (connection === 'refused') {
    return (
      <div className="reload-indicator" data-state="refused" role="alert">
        <span className="dot" />
        <div>
          <div className="reload-title">No access</div>
          <div className="reload-detail">{studio.refusal()}</div>
        </div>
      </div>
    );
  }
  if (connection !== 'open') {
    return (
      <div className="reload-indicator" data-state="disconnected" role="status" aria-live="polite">
        <span className="dot" />
        <div>
          <div className="reload-title">{connection === 'connecting' ? 'Connecting…' : 'Disconnected'}</div>
          <div className="reload-detail">{connection === 'closed' ? 'Is the studio still running? Reconnecting…' : 'Reaching the studio'}</div>
        </div>
      </div>
    );
  }

  let title: string;
  let detail: ReactNode;
  let shown: string = state.kind;
  switch (state.kind) {
    case 'starting':
      title = 'Starting…';
      detail = 'Waiting for the first build';
      break;
    case 'building':
      title = project?.kind === 'file' ? `Loading version ${state.build.number}…` : `Building #${state.build.number}…`;
      detail = state.serving ? `Serving ${versionName(project, state.serving.number)} meanwhile` : capitalized(buildCause(project, state.build.reason || 'start'));
      break;
    case 'serving':
      // Built and started, but stopped from the Workloads view: nothing answers.
      if (workloads.length > 0 && workloads.every((w) => w.state === 'stopped')) {
        shown = 'stopped';
        title = `Stopped · ${versionName(project, state.build.number)}`;
        detail = `Start it in Workloads (${modKey}+1)`;
        break;
      }
      title = `Serving ${versionName(project, state.build.number)}`;
      // The time stays whole on a line: "1.4" and "s" apart read as two things.
      detail = (
        <>
          {state.build.reason ? `${capitalized(buildCause(project, state.build.reason))} · ready` : 'Ready'} in <span className="nowrap">{formatMs(state.build.totalMs ?? state.build.buildMs)}</span>
        </>
      );
      break;
    case 'failed':
      title = failureTitle(project, state.build.number);
      detail = state.serving ? `Still serving ${versionName(project, state.serving.number)} · click for output` : 'Click for the output';
      break;
  }
  const checks = run && (run.results.length > 0 || run.error) ? run : undefined;
  const checksState = !checks ? undefined : checks.error || checks.failed > 0 ? 'failed' : 'passed';
  return (
    <div className="reload-indicator-group">
      {/* The state, announced as it changes; the button below opens the output. */}
      <span className="visually-hidden" role="status">
        {title}
      </span>
      {/* Stopped, what helps is the Workloads view, where it starts again; otherwise the builds' output. */}
      <button
        className="reload-indicator"
        data-state={shown}
        title={shown === 'stopped' ? 'Go to Workloads to start it' : 'Show the build output'}
        onClick={() => (shown === 'stopped' ? setView('workloads') : open(true))}
      >
        <span className="dot" />
        <div>
          <div className="reload-title">
            {title}
            {/* Ticks every second: kept out of what a screen reader announces. */}
            {state.kind === 'building' && elapsed >= 1 && <span aria-hidden="true"> {elapsed} s</span>}
          </div>
          <div className="reload-detail">{detail}</div>
        </div>
      </button>
      {checks && (
        <button className="reload-checks" data-state={checksState} title={checksState === 'failed' ? 'Show what failed' : 'Show the checks'} onClick={() => showFailedCheck(checks)}>
          {checks.error
            ? 'Checks could not run'
            : `${checks.build !== undefined ? `${versionName(project, checks.build)} · ` : ''}${checks.passed}/${checks.results.length} checks pass`}
          {checks.failed > 0 && <span className="reload-checks-failed"> · {checks.results.find((r) => !r.passed)?.name} failed</span>}
        </button>
      )}
    </div>
  );
}
