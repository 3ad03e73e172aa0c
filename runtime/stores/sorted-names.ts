// Store listings are pages of a sorted name list: one order (UTF-16 code units, the order of
// JavaScript's string comparison, the same on every platform) and binary searches into it, so
// a cursor or prefix finds its page without a walk over every name.

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The index of the first name at or after `value` (after it, when `inclusive` is false). */
export function lowerBound(sorted: readonly string[], value: string, inclusive = true): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const item = sorted[mid]!;
    if (item < value || (!inclusive && item === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Names per page: 1 to `max`, `fallback` when none (or no number: NaN would give empty pages) is asked for. */
export function listLimit(requested: number | undefined, fallback: number, max: number): number {
  const limit = requested !== undefined && Number.isFinite(requested) ? Math.floor(requested) : fallback;
  return Math.max(1, Math.min(max, limit));
}
