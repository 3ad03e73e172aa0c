// The Electron shell's main process, bundled as `npm start` bundles it, run under plain Node
// with a stand-in for the electron package (no Electron binary can be installed here): it
// must load the runtime through tsx, open the project, lock the window down and answer the
// Studio API over IPC to its own window only. The stand-in acts as the window and reports.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'node:test';
import { buildElectronShell } from '../../electron/build.mjs';
import type { CallAnswer } from '../../electron/channels.ts';
import type { ProjectView } from '../../runtime/studio/api.ts';
import { messageProject } from '../helpers/message-project.ts';
import { repoRoot, testCacheDir } from '../helpers/studio-process.ts';

interface Report {
  privileged: { scheme: string; privileges: Record<string, boolean> }[];
  sandboxEnabled: boolean;
  webPreferences: Record<string, unknown>;
  project: CallAnswer;
  untrusted: CallAnswer;
  unknown: CallAnswer;
  page: { status: number; type: string; csp: string; body: string };
  missing: number;
  navigationPrevented: boolean;
  windowOpen: { action: string };
  opened: string[];
  cameraAllowed: boolean;
}

it('the Electron main process opens the project, locks the window down and serves the API to it', async () => {
  const { main } = await buildElectronShell();
  const project = await messageProject('hello from the shell\n');
  try {
    const child = spawn(process.execPath, ['--import', join(repoRoot, 'test', 'helpers', 'fake-electron', 'register.mjs'), main, project.root, '--port=0'], {
      cwd: repoRoot,
      env: { ...process.env, COMPONENT_STUDIO_CACHE: testCacheDir, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    assert.equal(code, 0, output);
    const line = /^FAKE-ELECTRON-REPORT (.*)$/m.exec(output)?.[1];
    assert.ok(line, output);
    const report = JSON.parse(line) as Report;

    assert.deepEqual(report.privileged.map((s) => s.scheme), ['app']);
    assert.equal(report.sandboxEnabled, true);
    assert.equal(report.webPreferences.contextIsolation, true);
    assert.equal(report.webPreferences.sandbox, true);
    assert.equal(report.webPreferences.nodeIntegration, false);
    assert.equal(report.webPreferences.webSecurity, true);
    assert.match(String(report.webPreferences.preload), /electron[\\/]dist[\\/]preload\.cjs$/);

    assert.ok(report.project.ok, JSON.stringify(report.project));
    const view = report.project.result as ProjectView;
    assert.equal(view.path, project.root);
    assert.equal(view.name, 'message');
    assert.deepEqual(report.untrusted, { ok: false, error: { code: 'forbidden', message: 'Only the studio window may use the Studio API.' } });
    assert.equal(!report.unknown.ok && report.unknown.error.code, 'unknown-command');

    assert.equal(report.page.status, 200);
    assert.equal(report.page.type, 'text/html; charset=utf-8');
    assert.match(report.page.csp, /default-src 'self'; script-src 'self';/);
    assert.match(report.page.csp, /connect-src 'self';/);
    assert.equal(report.missing, 404);

    assert.equal(report.navigationPrevented, true);
    assert.deepEqual(report.windowOpen, { action: 'deny' });
    assert.deepEqual(report.opened, ['https://example.com/docs', 'https://example.com/new']);
    assert.equal(report.cameraAllowed, false);
  } finally {
    await project.remove();
  }
});
