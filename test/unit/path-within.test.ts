import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { isWithin } from '../../runtime/path-within.ts';

it('tells a path in a folder from one beside or above it', () => {
  const root = join('/', 'projects', 'app');
  assert.ok(isWithin(root, root));
  assert.ok(isWithin(root, join(root, 'dist', 'a.wasm')));
  assert.ok(isWithin(root, join(root, '..app', 'x')), 'a folder whose name starts with two dots is inside');
  assert.ok(!isWithin(root, join('/', 'projects', 'app2', 'a.wasm')));
  assert.ok(!isWithin(root, join('/', 'projects')));
  assert.ok(!isWithin(root, join('/', 'elsewhere')));
});
