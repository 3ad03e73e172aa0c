// Plain-text tables and number formatting for benchmark output.

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function num(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '-';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ms(n: number): string {
  if (!Number.isFinite(n)) return '-';
  // Below a tenth of a millisecond (a small component's call, its CPU per request) in µs, so its digits show.
  if (n < 0.1) return `${(n * 1000).toFixed(1)} µs`;
  return n < 10 ? `${n.toFixed(2)} ms` : `${n.toFixed(1)} ms`;
}

export function ratio(n: number): string {
  if (n === Infinity) return 'inf (divisor 0)';
  return Number.isFinite(n) ? `${n.toFixed(2)}x` : '-';
}

export function verdict(met: boolean): string {
  return met ? 'met' : 'MISSED';
}

export function pct(share: number): string {
  return Number.isFinite(share) ? `${Math.round(share * 100)}%` : '-';
}
