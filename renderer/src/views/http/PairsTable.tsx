// An editable table of name/value pairs (query params, headers, form fields) that always ends
// with an empty row to type into.
import type { Pair } from './http-store.ts';

export function PairsTable({ pairs, onChange, keyLabel = 'Name', valueLabel = 'Value', label, toggles = true, invalidRow }: { pairs: Pair[]; onChange: (pairs: Pair[]) => void; keyLabel?: string; valueLabel?: string; label: string; toggles?: boolean; /** A row that cannot be sent as it is, marked until it changes. */ invalidRow?: number | undefined }) {
  const rows = [...pairs, { key: '', value: '', enabled: true }];
  const set = (i: number, patch: Partial<Pair>) => {
    const next = rows.map((r, j) => (j === i ? { ...r, ...patch } : r));
    onChange(next.filter((r, j) => j < next.length - 1 || r.key || r.value));
  };
  return (
    <table className="pairs-table" aria-label={label}>
      <thead>
        <tr>
          {toggles && (
            <th className="pair-toggle">
              <span className="visually-hidden">Send</span>
            </th>
          )}
          <th>{keyLabel}</th>
          <th>{valueLabel}</th>
          <th className="pair-remove">
            <span className="visually-hidden">Remove</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => {
          const placeholder = i === rows.length - 1;
          return (
            <tr key={i} className={placeholder ? 'placeholder' : r.enabled ? (i === invalidRow ? 'invalid' : '') : 'disabled'}>
              {toggles && <td className="pair-toggle">{!placeholder && <input type="checkbox" aria-label={`Send ${r.key}`} checked={r.enabled} onChange={(e) => set(i, { enabled: e.target.checked })} />}</td>}
              <td>
                <input className="input input-cell mono" aria-label={`${keyLabel} ${i + 1}`} aria-invalid={i === invalidRow || undefined} placeholder={placeholder ? `Add ${keyLabel.toLowerCase()}` : ''} value={r.key} onChange={(e) => set(i, { key: e.target.value })} />
              </td>
              <td>
                <input className="input input-cell mono" aria-label={`${valueLabel} ${i + 1}`} aria-invalid={i === invalidRow || undefined} value={r.value} onChange={(e) => set(i, { value: e.target.value })} />
              </td>
              <td className="pair-remove">
                {!placeholder && (
                  <button className="icon-btn" aria-label={`Remove ${r.key}`} onClick={() => onChange(pairs.filter((_, j) => j !== i))}>
                    ✕
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
