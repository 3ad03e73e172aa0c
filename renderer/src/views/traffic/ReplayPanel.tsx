// What a replay found: how many answers matched, changed or failed, and for the one picked,
// the two answers side by side: status, the headers that differ (less the ignored ones), and
// the body by what it is: JSON and text in Monaco's diff editor, PNG images next to each
// other with their changed pixels in red and a box around them.
import { useEffect, useMemo, useState } from 'react';
import { studio } from '../../api/client.ts';
import type { ImageComparison, ReplayReport, ReplayResult, TrafficDetailView } from '../../api/types.ts';
import { ValueDiff } from '../../components/ValueDiff.tsx';
import { base64ToBytes } from '../../lib/bytes.ts';
import { useStudio, versionName } from '../../stores/studio-store.ts';
import { useTraffic } from './traffic-store.ts';

function ImageDiff({ image }: { image: ImageComparison }) {
  const src = useMemo(() => `data:image/png;base64,${image.highlight}`, [image.highlight]);
  const width = Math.max(image.before.width, image.after.width);
  const height = Math.max(image.before.height, image.after.height);
  const box = image.box;
  return (
    <figure className="image-diff" aria-label="Changed pixels">
      <div className="image-diff-frame">
        <img src={src} alt="The new image faded, with the pixels that changed in red" />
        {box && (
          <div
            className="image-diff-box"
            style={{ left: `${(box.x / width) * 100}%`, top: `${(box.y / height) * 100}%`, width: `${(box.width / width) * 100}%`, height: `${(box.height / height) * 100}%` }}
          />
        )}
      </div>
      <figcaption className="muted small">
        {image.changedPixels.toLocaleString()} pixels changed
        {box && ` in ${box.width}×${box.height} at ${box.x},${box.y}`}
        {(image.before.width !== image.after.width || image.before.height !== image.after.height) && ` · size ${image.before.width}×${image.before.height} → ${image.after.width}×${image.after.height}`}
      </figcaption>
    </figure>
  );
}

function ResultDiff({ result }: { result: ReplayResult }) {
  const project = useStudio((s) => s.project);
  const [sides, setSides] = useState<[TrafficDetailView | null, TrafficDetailView | null]>();
  useEffect(() => {
    let live = true;
    setSides(undefined);
    void Promise.all([studio.call('traffic.get', { id: result.id }), result.replayId !== undefined ? studio.call('traffic.get', { id: result.replayId }) : Promise.resolve(null)]).then(
      (got) => live && setSides(got),
      () => live && setSides([null, null]),
    );
    return () => {
      live = false;
    };
  }, [result.id, result.replayId]);
  const diff = result.diff;
  if (result.outcome === 'failed') return <div className="notice notice-error" role="alert">{result.error}</div>;
  if (!diff) return null;
  const [before, after] = sides ?? [null, null];
  return (
    <div className="replay-diff" aria-label="Replay diff">
      <table className="headers-table diff-table" aria-label="What changed">
        <thead>
          <tr>
            <th>
              <span className="visually-hidden">Field</span>
            </th>
            <th title={`request #${result.id}`}>Captured{before?.record.build !== undefined && `, ${versionName(project, before.record.build)}`}</th>
            <th title={`request #${result.replayId}`}>Replayed{after?.record.build !== undefined && `, ${versionName(project, after.record.build)}`}</th>
          </tr>
        </thead>
        <tbody>
          <tr data-changed={diff.status !== undefined}>
            <th>status</th>
            <td>{before?.record.status ?? diff.status?.before ?? '—'}</td>
            <td>{after?.record.status ?? diff.status?.after ?? '—'}</td>
          </tr>
          {diff.headers.map((h) => (
            <tr key={h.name} data-changed>
              <th>{h.name}</th>
              <td>{h.before ?? <span className="muted">absent</span>}</td>
              <td>{h.after ?? <span className="muted">absent</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {diff.partial && <div className="notice small">A body was cut at the capture's limit: only the kept parts were compared.</div>}
      {diff.body.kind === 'same' && <div className="muted small pad">Same body.</div>}
      {diff.body.kind === 'json' && (
        <ul className="json-changes" aria-label="JSON changes">
          {diff.body.changes.slice(0, 50).map((c) => (
            <li key={c.path} data-change={c.change}>
              <code>{c.path}</code> {c.change}
              {c.change !== 'added' && <> from <code>{JSON.stringify(c.before)}</code></>}
              {c.change !== 'removed' && <> to <code>{JSON.stringify(c.after)}</code></>}
            </li>
          ))}
          {diff.body.changes.length + diff.body.more > 50 && <li className="muted">and {diff.body.changes.length + diff.body.more - 50} more</li>}
        </ul>
      )}
      {diff.body.kind === 'image' && <ImageDiff image={diff.body.image} />}
      {diff.body.kind !== 'same' && before && after && (
        <div className="replay-body-diff">
          <ValueDiff before={{ label: 'Captured', bytes: base64ToBytes(before.responseBody), size: before.record.responseBytes }} after={{ label: 'Replayed', bytes: base64ToBytes(after.responseBody), size: after.record.responseBytes }} />
        </div>
      )}
    </div>
  );
}

export function ReplayPanel({ report }: { report: ReplayReport }) {
  const diffOf = useTraffic((s) => s.diffOf);
  const project = useStudio((s) => s.project);
  const chosen = report.results.find((r) => r.id === diffOf) ?? report.results[0];
  return (
    <div className="detail-pane replay-panel" aria-label="Replay">
      <div className="detail-header">
        <div className="detail-title">
          <div className="traffic-title">Replay{report.build !== undefined && ` against ${versionName(project, report.build)}`}</div>
          <div className="replay-summary" role="status">
            <span data-outcome="matched">{report.matched} matched</span> · <span data-outcome="changed">{report.changed} changed</span> · <span data-outcome="failed">{report.failed} failed</span>
            <span className="muted"> · {report.data === 'copy' ? 'on a throwaway copy of the data (restored afterwards)' : 'on the live data'}</span>
          </div>
        </div>
        <div className="detail-actions">
          <button className="btn" onClick={() => useTraffic.setState({ report: undefined, diffOf: undefined })}>
            Close
          </button>
        </div>
      </div>
      <ul className="replay-results" aria-label="Replayed requests">
        {report.results.map((r) => (
          <li key={r.id}>
            <button className={r.id === chosen?.id ? 'active' : ''} data-outcome={r.outcome} onClick={() => useTraffic.setState({ diffOf: r.id })}>
              <span className="outcome-dot" /> <span className="method-badge">{r.method}</span> <span className="mono">{r.path}</span> <span className="muted">{r.outcome}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="detail-body">{chosen && <ResultDiff key={chosen.id} result={chosen} />}</div>
    </div>
  );
}
