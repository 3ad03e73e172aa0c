import { measureDirectCalls, measureParallelDirectCalls } from './lib/direct.ts';
const req = { method: 'GET', path: '/', headers: [['host', '127.0.0.1']] as [string, string][] };
const f = (n: number) => n.toFixed(4);
for (const w of ['/work/main/.cache/fixtures/hello-f9fbe7ed8ca507b1.wasm', '/tmp/snap/.cache/fixtures/js/qrcode.wasm']) {
  const p1 = await measureParallelDirectCalls(w, '/tmp/snap/.cache/studio', req, 1, { warmupMs: 500, measureMs: 3000 });
  const p2 = await measureParallelDirectCalls(w, '/tmp/snap/.cache/studio', req, 2, { warmupMs: 500, measureMs: 3000 });
  console.log(w.split('/').pop(), '1 worker', p1.callsPerSecond.toFixed(0), '/s thread-ms/call', p1.perThread.map((r) => f(r.threadMsPerCall)), 'wall', p1.perThread.map((r) => f(r.wallMsPerCall)));
  console.log(w.split('/').pop(), '2 workers', p2.callsPerSecond.toFixed(0), '/s thread-ms/call', p2.perThread.map((r) => f(r.threadMsPerCall)), 'wall', p2.perThread.map((r) => f(r.wallMsPerCall)));
}
