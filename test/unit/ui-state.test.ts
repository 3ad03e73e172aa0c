// The UI's saved state (the playground's history and draft, request headers among them) is
// kept for this user only, and a value it cannot keep is refused as the caller's problem.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UiStateFile, UiStateRefused } from '../../runtime/studio/ui-state.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-ui-state-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('the UI state file', () => {
  it('is readable by this user only, in a folder it makes for this user only', { skip: process.platform === 'win32' && 'no POSIX modes' }, () => {
    const dir = join(scratch, 'config');
    new UiStateFile(dir).set('playground.draft', { headers: [['authorization', 'Bearer secret']] });
    assert.equal(statSync(join(dir, 'ui-state.json')).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o077, 0, 'no access for group or others');
    assert.deepEqual(new UiStateFile(dir).get('playground.draft'), { headers: [['authorization', 'Bearer secret']] });
  });

  it('refuses a value nested too deeply to write out, keeping what it had', () => {
    const state = new UiStateFile(join(scratch, 'deep'));
    state.set('kept', 1);
    const deep: unknown = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    assert.throws(() => state.set('deep', deep), (err: unknown) => err instanceof UiStateRefused && /nested too deeply/.test(err.message));
    assert.equal(new UiStateFile(join(scratch, 'deep')).get('kept'), 1);
  });
});
