// The source maps the JS builder keeps for the runtime: found by the component's hash, used
// for bundle positions only, and never more than the newest hundred kept.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bundlePositions, saveBundleMap } from '../../runtime/components/bundle-positions.ts';

const root = mkdtempSync(join(tmpdir(), 'cs-bundle-maps-'));
after(() => rmSync(root, { recursive: true, force: true }));

// One mapping: bundle line 1, column 0 comes from src/component.ts line 3, column 4.
const MAP = JSON.stringify({ version: 3, sources: ['src/component.ts'], names: [], mappings: 'AAEI' });

describe('bundle positions', () => {
  it('rewrites component.js positions the map knows, and leaves other text alone', () => {
    saveBundleMap(root, 'a'.repeat(64), MAP);
    const rewrite = bundlePositions(root, 'a'.repeat(64))!;
    assert.equal(rewrite('component.js:1:1 Error: boom'), 'src/component.ts:3:5 Error: boom');
    assert.equal(rewrite('see lib/component.js:1:1 and component.jsx:1:1'), 'see lib/component.js:1:1 and component.jsx:1:1');
    assert.equal(bundlePositions(root, 'b'.repeat(64)), undefined, 'a component with no kept map');
  });

  it('names componentize-js\'s glue instead of the build folder it ran from, which is gone', () => {
    saveBundleMap(root, 'c'.repeat(64), MAP);
    const rewrite = bundlePositions(root, 'c'.repeat(64))!;
    assert.equal(rewrite('@/tmp/studio-js-build-4242-AbC123/initializer.js:8432:15'), '@componentize-js initializer.js:8432:15');
    assert.equal(rewrite('handle@component.js:1:1\n@C:\\Temp\\studio-js-build-7-x\\initializer.js:9:1'), 'handle@src/component.ts:3:5\n@componentize-js initializer.js:9:1');
  });

  it('keeps the newest hundred maps', () => {
    const dir = join(root, 'bundle-maps');
    for (let i = 0; i < 105; i++) {
      saveBundleMap(root, i.toString(16).padStart(64, '0'), MAP);
      utimesSync(join(dir, `${i.toString(16).padStart(64, '0')}.map`), i + 1_000_000, i + 1_000_000);
    }
    const kept = readdirSync(dir);
    assert.equal(kept.length, 100);
    assert.ok(kept.includes(`${(104).toString(16).padStart(64, '0')}.map`), 'the newest stays');
  });
});
