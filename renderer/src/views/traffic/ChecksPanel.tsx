// The Checks tab: the latest run (after every reload, or by hand) with each check's result,
// what a failed one expected next to what came back, and the check files themselves
// (.wash/checks/*.json) to edit in Monaco, checked before they are saved.
import { useEffect, useMemo, useState } from 'react';
import { describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import type { Check, CheckResult, TrafficDetailView } from '../../api/types.ts';
import { CodeEditor } from '../../components/CodeEditor.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ValueDiff } from '../../components/ValueDiff.tsx';
import { base64ToBytes } from '../../lib/bytes.ts';
import { Ago } from '../../components/Ago.tsx';
import { capitalized, formatMs } from '../../lib/format.ts';
import { useChecks } from '../../stores/checks-store.ts';
import { useStudio, versionName } from '../../stores/studio-store.ts';
import { useUi } from '../../stores/ui-store.ts';

function expectedBody(check: Check): Uint8Array | undefined {
  const body = check.expect.body;
  if (!body) return undefined;
  if ('exact' in body) return new TextEncoder().encode(body.exact);
  if ('exactBase64' in body) return base64ToBytes(body.exactBase64);
  if ('json' in body) return new TextEncoder().encode(JSON.stringify(body.json, null, 2));
  return new TextEncoder().encode(`/${body.regex}/`);
}

function ResultComparison({ result, check }: { result: CheckResult; check: Check | undefined }) {
  const [actual, setActual] = useState<TrafficDetailView | null>();
  useEffect(() => {
    let live = true;
    setActual(undefined);
    if (result.recordId === undefined) return;
    void studio.call('traffic.get', { id: result.recordId }).then(
      (got) => live && setActual(got),
      () => live && setActual(null),
    );
    return () => {
      live = false;
    };
  }, [result.recordId]);
  const expected = check ? expectedBody(check) : undefined;
  return (
    <div className="check-comparison" aria-label="Check comparison">
      {result.problems.length > 0 && (
        <ul className="check-problems" role="alert">
          {result.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {check && (
        <table className="headers-table diff-table">
          <thead>
            <tr>
              <th>
                <span className="visually-hidden">Field</span>
              </th>
              <th>Expected</th>
              <th>Got</th>
            </tr>
          </thead>
          <tbody>
            <tr data-changed={actual ? actual.record.status !== check.expect.status : undefined}>
              <th>status</th>
              <td>{check.expect.status}</td>
              <td>{actual?.record.status ?? '—'}</td>
            </tr>
            {Object.entries(check.expect.headers ?? {}).map(([name, value]) => {
              const got = actual?.record.responseHeaders.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
              return (
                <tr key={name} data-changed={actual ? got !== value : undefined}>
                  <th>{name}</th>
                  <td>{value}</td>
                  <td>{got ?? <span className="muted">absent</span>}</td>
                </tr>
              );
            })}
            <tr>
              <th>body</th>
              <td colSpan={2}>{!check.expect.body ? 'not checked (status only)' : 'exact' in check.expect.body || 'exactBase64' in check.expect.body ? 'exactly' : 'json' in check.expect.body ? 'contains the JSON below' : `matches /${check.expect.body.regex}/`}</td>
            </tr>
          </tbody>
        </table>
      )}
      {expected && actual && (
        <div className="replay-body-diff">
          <ValueDiff before={{ label: 'Expected', bytes: expected, size: expected.length }} after={{ label: 'Got', bytes: base64ToBytes(actual.responseBody), size: actual.record.responseBytes }} />
        </div>
      )}
    </div>
  );
}

function FileEditor({ name, text, onSaved }: { name: string; text: string; onSaved: () => void }) {
  const [value, setValue] = useState(text);
  const [problem, setProblem] = useState<string>();
  useEffect(() => setValue(text), [text]);
  const save = async () => {
    try {
      await studio.call('checks.save', { file: name, text: value });
      setProblem(undefined);
      useUi.getState().toast({ tone: 'success', title: `Saved ${name}` });
      onSaved();
    } catch (err) {
      setProblem(describeError(err).message);
    }
  };
  return (
    <div className="check-file-editor">
      {problem && (
        <div className="notice notice-error" role="alert">
          {problem}
        </div>
      )}
      <CodeEditor value={value} language="json" onChange={setValue} onSave={() => void save()} label={`Check file ${name}`} />
      <div className="check-file-actions">
        <button className="btn btn-primary" onClick={() => void save()} disabled={value === text}>
          Save
        </button>
        <button className="btn" onClick={() => setValue(text)} disabled={value === text}>
          Revert
        </button>
      </div>
    </div>
  );
}

export function ChecksPanel() {
  const { view, run, running, focus } = useChecks();
  const project = useStudio((s) => s.project);
  const [file, setFile] = useState<string>();
  const files = view?.files ?? [];
  const shownFile = files.find((f) => f.name === file) ?? files[0];
  const chosen = run?.results.find((r) => r.file === focus?.file && r.index === focus.index) ?? run?.results.find((r) => !r.passed) ?? run?.results[0];
  const checkOf = (result: CheckResult) => files.find((f) => f.name === result.file)?.content.checks[result.index];
  const fileText = useMemo(() => (shownFile ? `${JSON.stringify(shownFile.content, null, 2)}\n` : ''), [shownFile]);

  if (view && files.length === 0 && !view.error) {
    return (
      <EmptyState title="No checks yet">
        Select requests in the list and press <strong>Pin as check</strong>: each becomes a check in <code>.wash/checks/</code> that runs after every reload, and
        with <code>component-studio check</code> in CI.
      </EmptyState>
    );
  }
  // A run of another set of checks (before some were pinned or deleted) is no verdict on these.
  const pinned = files.reduce((count, f) => count + f.content.checks.length, 0);
  const outdated = run !== undefined && !run.error && run.results.length !== pinned;
  return (
    <div className="checks-panel">
      <div className="checks-results">
        <div className="checks-head">
          <div role="status" className="checks-summary" data-state={!run ? 'none' : run.error ? 'error' : outdated ? 'none' : run.failed > 0 ? 'failed' : 'passed'}>
            {!run
              ? 'Not run yet'
              : run.error
                ? run.error.message
                : outdated
                  ? `The checks changed since the last run (${run.passed}/${run.results.length} passed): Run now to check them`
                  : `${run.build !== undefined ? `${capitalized(versionName(project, run.build))} · ` : ''}${run.passed}/${run.results.length} checks pass`}
            {run && <span className="muted small"> · <Ago at={run.startedAt} /> · {formatMs(run.durationMs)}</span>}
          </div>
          <button className="btn" onClick={() => void useChecks.getState().runNow()} disabled={running}>
            {running ? 'Running…' : 'Run now'}
          </button>
        </div>
        {view?.error && (
          <div className="notice notice-error" role="alert">
            {view.error.message}
          </div>
        )}
        <ul className="check-results" aria-label="Check results">
          {run?.results.map((r) => (
            <li key={`${r.file}-${r.index}`}>
              <button className={r === chosen ? 'active' : ''} data-passed={r.passed} onClick={() => useChecks.getState().setFocus({ file: r.file, index: r.index })}>
                <span className="outcome-dot" /> {r.name} <span className="muted small">{r.file}</span>
              </button>
            </li>
          ))}
        </ul>
        {chosen && <ResultComparison result={chosen} check={checkOf(chosen)} />}
      </div>
      <div className="checks-files">
        <div className="checks-head">
          <select className="input" aria-label="Check file" value={shownFile?.name ?? ''} onChange={(e) => setFile(e.target.value)}>
            {files.map((f) => (
              <option key={f.name} value={f.name}>
                {f.name} ({f.content.checks.length})
              </option>
            ))}
          </select>
          <span className="muted small">{view?.folder}</span>
        </div>
        {shownFile && <FileEditor key={shownFile.name} name={shownFile.name} text={fileText} onSaved={() => void useChecks.getState().load()} />}
      </div>
    </div>
  );
}
