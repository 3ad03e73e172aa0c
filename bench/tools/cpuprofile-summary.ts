// Summarizes V8 .cpuprofile files (from `node --cpu-prof`): per file, the sampled time, the
// functions with the most self time, and the most inclusive time. Used to find where a
// studio process spends its time under load; see docs/benchmarks.md.
//
//   npx tsx bench/tools/cpuprofile-summary.ts <dir or files...> [--top N]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
const top = Number(values.top ?? 15);
const files = positionals.flatMap((p) =>
  statSync(p).isDirectory()
    ? readdirSync(p)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(p, f))
    : [p],
);

function label(node: Node): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url ? url.replace(/^file:\/\//, '').split('/').slice(-2).join('/') : '';
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);

  const selfByLabel = new Map<string, number>();
  const inclusiveByLabel = new Map<string, number>();
  for (const [id, t] of self) {
    const node = byId.get(id)!;
    selfByLabel.set(label(node), (selfByLabel.get(label(node)) ?? 0) + t);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const l = label(byId.get(at)!);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusiveByLabel.set(l, (inclusiveByLabel.get(l) ?? 0) + t);
    }
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
  const msOf = (t: number) => `${(t / 1000).toFixed(0).padStart(6)} ms`;
  console.log(`\n${basename(file)}: ${msOf(total)} sampled, ${pct(total - idle)} busy`);
  console.log('  self time:');
  for (const [l, t] of [...selfByLabel].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`    ${msOf(t)} ${pct(t)}  ${l}`);
  console.log('  inclusive time:');
  for (const [l, t] of [...inclusiveByLabel].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`    ${msOf(t)} ${pct(t)}  ${l}`);
}
