// `npm start -- …` (bin/start.js) finds the project among the arguments it passes on to
// `component-studio dev`: the word after an option that takes a value is that value, not the
// project. Its list of such options must be dev's own, or `--start-timeout 60` makes "60" the project.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(import.meta.dirname, '..', '..');

describe('npm start', () => {
  it('knows every option of dev that takes a value', () => {
    const cli = readFileSync(join(root, 'runtime', 'cli.ts'), 'utf8');
    const devOptions = cli.slice(cli.indexOf('parsed = parseArgs({'), cli.indexOf('fatal(`${argumentError(err)}'));
    const valued = [...devOptions.matchAll(/'?([a-z-]+)'?: \{ type: 'string' \}/g)].map((m) => `--${m[1]}`).sort();
    assert.ok(valued.includes('--start-timeout') && valued.length >= 9, valued.join(' '));
    const start = readFileSync(join(root, 'bin', 'start.js'), 'utf8');
    const listed = JSON.parse(/const VALUED = new Set\((\[[^\]]*\])\)/.exec(start)![1]!.replaceAll("'", '"')) as string[];
    assert.deepEqual([...listed].sort(), valued);
  });
});
