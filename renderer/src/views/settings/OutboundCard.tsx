// Outbound HTTP in Settings: offline mode (a switch that saves at once), the extra CA files,
// and the stand-ins as an editable table (match, status, how it answers, headers), saved
// into .wash/studio.yaml through the Studio API, which keeps the rest of the file. The
// studio applies the file to the next call, without a build; an edit made by hand in the
// file shows up here too.
import { useEffect, useRef, useState } from 'react';
import { studio } from '../../api/client.ts';
import type { OutboundView, StandInView } from '../../api/types.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { useStudio } from '../../stores/studio-store.ts';
import { useUi } from '../../stores/ui-store.ts';
import { revealHidden } from '../../lib/visible-text.ts';

type AnswerKind = 'body' | 'body_file' | 'forward';

/** One row as the table edits it: the answer's kind and value, the headers as lines. */
interface Row {
  match: string;
  status: string;
  kind: AnswerKind;
  value: string;
  headers: string;
}

const ANSWERS: { kind: AnswerKind; label: string; placeholder: string }[] = [
  { kind: 'body', label: 'body', placeholder: '<html>offline page</html>' },
  { kind: 'body_file', label: 'file', placeholder: 'fixtures/page.html' },
  { kind: 'forward', label: 'forward', placeholder: 'http://127.0.0.1:9000' },
];

function rowOf(standIn: StandInView): Row {
  const kind: AnswerKind = standIn.forward !== undefined ? 'forward' : standIn.body_file !== undefined ? 'body_file' : 'body';
  return {
    match: standIn.match,
    status: standIn.status === undefined ? '' : String(standIn.status),
    kind,
    value: standIn[kind] ?? '',
    headers: Object.entries(standIn.headers ?? {})
      .map(([name, value]) => `${name}: ${value}`)
      .join('\n'),
  };
}

/** The row as the file will hold it; a status or header line that does not read is left for the runtime to name. */
function standInOf(row: Row): StandInView {
  const headers = Object.fromEntries(
    row.headers
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const colon = line.indexOf(':');
        return colon < 0 ? [line, ''] : [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
      }),
  );
  return {
    match: row.match,
    ...(row.status.trim() ? { status: Number(row.status) } : {}),
    ...(Object.keys(headers).length ? { headers } : {}),
    [row.kind]: row.value,
  };
}

const NEW_ROW: Row = { match: 'GET https://example.com/*', status: '200', kind: 'body', value: '', headers: 'content-type: text/html' };

export function OutboundCard({ outbound }: { outbound: OutboundView }) {
  const saved = outbound.standIns.map(rowOf);
  const [rows, setRows] = useState<Row[]>(saved);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const savedKey = JSON.stringify(saved);
  const dirty = JSON.stringify(rows) !== savedKey;
  // The file changed (a save, or an edit by hand): show it, unless there are edits to keep.
  useEffect(() => {
    if (!dirty) setRows(JSON.parse(savedKey) as Row[]);
  }, [savedKey]);

  const change = async (args: { offline?: boolean; standIns?: StandInView[] }, done: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const view = await studio.call('settings.setOutbound', args);
      const settings = useStudio.getState().settings;
      if (settings) useStudio.setState({ settings: { ...settings, outbound: view } });
      setRows(view.standIns.map(rowOf));
      useUi.getState().toast({ tone: 'success', title: done, detail: 'Applies to the next outbound call.' });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  // Where the focus goes once the rows render: a new row's first field, or after a removal the
  // next row's remove button (else the add button), never the body.
  const table = useRef<HTMLTableElement>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const focusNext = useRef<{ field: 'match' | 'remove'; index: number }>(undefined);
  useEffect(() => {
    const next = focusNext.current;
    if (!next) return;
    focusNext.current = undefined;
    const label = next.field === 'match' ? `Match ${next.index + 1}` : `Remove stand-in ${next.index + 1}`;
    const target = [...(table.current?.querySelectorAll<HTMLElement>('[aria-label]') ?? [])].find((el) => el.getAttribute('aria-label') === label);
    if (target) {
      target.focus();
      if (target instanceof HTMLInputElement) target.select();
    } else addButton.current?.focus();
  }, [rows]);
  const edit = (i: number, patch: Partial<Row>) => setRows(rows.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  const locked = !outbound.editable || busy;
  // What a file that does not read shows would be defaults, not what is in effect: nothing is shown or changed until it reads.
  const unreadable = outbound.problem !== undefined;

  return (
    <section className="card settings-card" aria-label="Outbound HTTP">
      <h3>Outbound HTTP</h3>
      <p className="muted small">
        What components reach with <code>wasi:http/outgoing-handler</code> (and <code>fetch()</code>), from <code>outbound</code> in{' '}
        <code className="path">{revealHidden(outbound.settingsPath ?? '.wash/studio.yaml')}</code>. Changes apply to the next call, without a build. Every call is a line in Logs under <code>outbound</code>.
      </p>
      {outbound.problem && <ErrorNote error={outbound.problem} title="The studio settings cannot be read" />}
      {unreadable ? (
        <p className="notice" role="status" data-testid="outbound-kept">
          Until the file reads again, calls follow the outbound settings the studio read from it last (offline mode and stand-ins included). Fix the file and its settings apply to the next call; they show here then.
        </p>
      ) : (
        <>
          <label className="check-row outbound-offline">
            <input type="checkbox" checked={outbound.offline} disabled={locked} onChange={(e) => void change({ offline: e.target.checked }, e.target.checked ? 'Offline mode on' : 'Offline mode off')} />
            <span>
              <strong>Offline mode</strong> <span className="muted">refuses every call no stand-in answers, except to loopback (localhost, 127.0.0.1, ::1)</span>
            </span>
          </label>
          <dl className="settings-grid">
            <dt>Extra CAs</dt>
            <dd>{outbound.caFiles.length ? outbound.caFiles.map((file) => <code key={file} className="path ca-file">{file}</code>) : <span className="muted">none: HTTPS trusts the system's certificate authorities</span>}</dd>
          </dl>
          <h4>Stand-ins</h4>
          <p className="muted small">
            Answer a call instead of the network. The first row that matches wins: a method (or <code>*</code>) and a URL where <code>*</code> matches anything.
          </p>
          <table className="stand-ins" data-testid="stand-ins" aria-label="Stand-ins" ref={table}>
            <thead>
              <tr>
                <th className="col-match">Match</th>
                <th className="col-status">Status</th>
                <th className="col-answer">Answer</th>
                <th className="col-headers">Headers</th>
                <th className="col-remove">
                  <span className="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && (
                <tr>
                  <td colSpan={5} className="muted small empty-row">
                    No stand-ins: every call goes to the network{outbound.offline ? ' (and offline mode refuses all but loopback)' : ''}.
                  </td>
                </tr>
              )}
              {rows.map((row, i) => {
                const answer = ANSWERS.find((a) => a.kind === row.kind)!;
                return (
                  <tr key={i}>
                    <td className="col-match">
                      <input className="input input-cell mono" aria-label={`Match ${i + 1}`} value={row.match} disabled={locked} onChange={(e) => edit(i, { match: e.target.value })} />
                    </td>
                    <td className="col-status">
                      <input className="input input-cell mono" aria-label={`Status ${i + 1}`} inputMode="numeric" placeholder={row.kind === 'forward' ? '—' : '200'} value={row.status} disabled={locked || row.kind === 'forward'} onChange={(e) => edit(i, { status: e.target.value })} />
                    </td>
                    <td className="col-answer">
                      <div className="answer-cell">
                        <select className="input" aria-label={`Answer ${i + 1}`} value={row.kind} disabled={locked} onChange={(e) => edit(i, { kind: e.target.value as AnswerKind, ...(e.target.value === 'forward' ? { status: '', headers: '' } : {}) })}>
                          {ANSWERS.map((a) => (
                            <option key={a.kind} value={a.kind}>
                              {a.label}
                            </option>
                          ))}
                        </select>
                        <input className="input input-cell mono" aria-label={`${answer.label} ${i + 1}`} placeholder={answer.placeholder} value={row.value} disabled={locked} onChange={(e) => edit(i, { value: e.target.value })} />
                      </div>
                    </td>
                    <td className="col-headers">
                      <textarea
                        className="input input-cell mono"
                        aria-label={`Headers ${i + 1}`}
                        rows={Math.max(1, row.headers.split('\n').length)}
                        wrap="off"
                        placeholder={row.kind === 'forward' ? '—' : 'name: value'}
                        value={row.headers}
                        disabled={locked || row.kind === 'forward'}
                        onChange={(e) => edit(i, { headers: e.target.value })}
                      />
                    </td>
                    <td className="col-remove">
                      <button
                        className="icon-btn"
                        aria-label={`Remove stand-in ${i + 1}`}
                        disabled={locked}
                        onClick={() => {
                          focusNext.current = { field: 'remove', index: Math.min(i, rows.length - 2) };
                          setRows(rows.filter((_, j) => j !== i));
                        }}
                      >
                        ✕
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {error !== undefined && <ErrorNote error={error} title="The stand-ins were not saved" />}
          {outbound.editable ? (
            <div className="stand-ins-actions">
              <button
                className="btn"
                ref={addButton}
                disabled={locked}
                onClick={() => {
                  focusNext.current = { field: 'match', index: rows.length };
                  setRows([...rows, NEW_ROW]);
                }}
              >
                + Add stand-in
              </button>
              <div className="toolbar-spacer" />
              {dirty && (
                <button className="btn" disabled={busy} onClick={() => setRows(saved)}>
                  Revert
                </button>
              )}
              <button className="btn btn-primary" disabled={!dirty || busy} onClick={() => void change({ standIns: rows.map(standInOf) }, 'Stand-ins saved')}>
                {busy ? 'Saving…' : 'Save'}
              </button>
            </div>
          ) : (
            <p className="muted small">A .wasm file served as it is reads this file at its next reload: edit it by hand, then rebuild (r + Enter).</p>
          )}
        </>
      )}
    </section>
  );
}
