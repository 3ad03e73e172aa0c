// wasi:logging/logging for `jco serve`, which has no implementation of it (preview2-shim
// covers WASI 0.2 proper). Mapped in with --jco-map so that components that import it, like
// the QR example, can be served by the peer at all. Lines go to stderr, as a log would.
export function log(level, context, message) {
  process.stderr.write(`${level} ${context}: ${message}\n`);
}
