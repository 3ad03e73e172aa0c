// A project is claimed through `.wash/studio/owner`: a claim file another program wrote over
// names no studio, so the project is refused (the studio that has it open cannot be told
// apart from none) with the file to delete; an empty one is taken over.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { claimProject } from '../../runtime/session/project-claim.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-project-claim-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('claiming a project', () => {
  it('refuses a claim file that holds something else, naming it; takes over an empty one, and lets it go', () => {
    const root = join(scratch, 'app');
    const claim = join(root, '.wash', 'studio', 'owner');
    mkdirSync(join(root, '.wash', 'studio'), { recursive: true });
    writeFileSync(claim, 'not a claim at all');
    const refused = claimProject(root);
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, 'project-in-use');
    assert.ok(refused.error.message.includes(`its claim file ${claim} holds something that names no studio`), refused.error.message);
    assert.match(refused.error.hint ?? '', /delete that file and open the project again/);
    writeFileSync(claim, '');
    const taken = claimProject(root);
    assert.ok(taken.ok);
    taken.value.release();
    assert.ok(claimProject(root).ok, 'claimed again once let go');
  });
});
