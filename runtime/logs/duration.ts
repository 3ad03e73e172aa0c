// How the studio prints a time it measured (a build, a reload, an outbound call): below a
// second in whole milliseconds, from a second up in seconds with one decimal, so lines that
// sit together (`✓ built in 19.9 s`, `↻ build 2: reloaded in 48.8 s (build 47.7 s)`) read
// in one unit. Limits the user set or the studio fixed (`--timeout 30`, "within 5 minutes")
// are said as they were given, not through this.

export function formatDuration(ms: number): string {
  // 999.6 ms would round to "1000 ms": from there on it is a second.
  return ms < 999.5 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}
