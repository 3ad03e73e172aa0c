// The desktop shell's own state and menus, as plain Node (no Electron binary here): the recent
// projects, the window's size and place across launches (never off every display, a corrupt
// file ignored with a word), the application menu and the dock/taskbar build indicator.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import { appMenuTemplate, type MenuActions } from '../../electron/app-menu.ts';
import { copyProject } from '../../electron/launch.ts';
import { clearRecentProjects, lastProject, launchStateFile, recentProjects, rememberProject } from '../../runtime/studio/launch-state.ts';
import { buildIndicator } from '../../electron/taskbar.ts';
import { restoreWindowState, saveWindowState, windowStateFile } from '../../electron/window-state.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs shell ü-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const fresh = () => {
  const dir = join(scratch, `dir ${counter++}`);
  mkdirSync(dir);
  return dir;
};

describe('recent projects', () => {
  it('lists the projects opened, newest first, once each, only those still there, and can be cleared', async () => {
    const file = launchStateFile(fresh());
    const [a, b, c] = [fresh(), fresh(), fresh()];
    for (const path of [a, b, a, c]) await rememberProject(file, path);
    assert.deepEqual(await recentProjects(file), [c, a, b]);
    rmSync(b, { recursive: true });
    assert.deepEqual(await recentProjects(file), [c, a]);
    await clearRecentProjects(file);
    assert.deepEqual(await recentProjects(file), []);
    assert.equal(await lastProject(file, () => {}), c, 'clearing the list keeps the last project');
  });

  it('keeps ten, and reads a launch file written before the list existed', async () => {
    const file = launchStateFile(fresh());
    const projects = Array.from({ length: 12 }, fresh);
    for (const path of projects) await rememberProject(file, path);
    assert.deepEqual(await recentProjects(file), projects.slice(2).reverse());
    const old = launchStateFile(fresh());
    writeFileSync(old, JSON.stringify({ lastProject: projects[0] }));
    assert.deepEqual(await recentProjects(old), []);
    await rememberProject(old, projects[1]!);
    assert.deepEqual(await recentProjects(old), [projects[1]]);
  });
});

describe('copying a project the studio cannot write to', () => {
  it('copies it whole, data included, under its name or a free "copy" name beside it', async () => {
    const source = join(fresh(), 'my project');
    mkdirSync(join(source, '.wash', 'data', 'keyvalue', 'b'), { recursive: true });
    writeFileSync(join(source, '.wash', 'data', 'keyvalue', 'b', 'k'), 'kept');
    writeFileSync(join(source, 'app.ts'), '// source');
    const into = fresh();
    const first = await copyProject(source, into);
    const second = await copyProject(source, into);
    const third = await copyProject(source, into);
    assert.deepEqual([first, second, third], [join(into, 'my project'), join(into, 'my project copy'), join(into, 'my project copy 2')]);
    assert.equal(readFileSync(join(third, '.wash', 'data', 'keyvalue', 'b', 'k'), 'utf8'), 'kept');
    assert.ok(existsSync(join(first, 'app.ts')));
    assert.deepEqual(readdirSync(into).sort(), ['my project', 'my project copy', 'my project copy 2'], 'no staging folder left behind');
  });
});

describe('the window\'s size and place', () => {
  const display = { x: 0, y: 0, width: 1920, height: 1040 };

  it('comes back where it was, maximized or not', async () => {
    const file = windowStateFile(fresh());
    assert.equal(await restoreWindowState(file, [display], () => {}), undefined, 'nothing saved: the defaults');
    await saveWindowState(file, { bounds: { x: 100, y: 80, width: 1200, height: 800 }, maximized: true });
    assert.deepEqual(await restoreWindowState(file, [display], () => {}), { bounds: { x: 100, y: 80, width: 1200, height: 800 }, maximized: true });
  });

  it('keeps only its size when the display it was on is gone, and fits it on the largest display', async () => {
    const file = windowStateFile(fresh());
    await saveWindowState(file, { bounds: { x: 2200, y: 100, width: 2400, height: 1400 }, maximized: false });
    assert.deepEqual(await restoreWindowState(file, [display], () => {}), { bounds: { width: 1920, height: 1040 }, maximized: false });
    const second = { x: 1920, y: 0, width: 2560, height: 1400 };
    assert.deepEqual((await restoreWindowState(file, [display, second], () => {}))?.bounds, { x: 2200, y: 100, width: 2400, height: 1400 });
  });

  it('ignores a corrupt file, saying so', async () => {
    const file = windowStateFile(fresh());
    const warnings: string[] = [];
    for (const text of ['{ nope', JSON.stringify({ bounds: { x: 0, y: 0, width: -5, height: 'tall' } }), 'null']) {
      writeFileSync(file, text);
      assert.equal(await restoreWindowState(file, [display], (w) => warnings.push(w)), undefined);
    }
    assert.equal(warnings.length, 3);
    assert.match(warnings[0]!, /window-state\.json is not a window state this app wrote/);
  });
});

describe('the application menu', () => {
  const calls: string[] = [];
  const actions: MenuActions = {
    newProject: () => calls.push('new'),
    openProject: () => calls.push('project'),
    openWasm: () => calls.push('wasm'),
    openRecent: (path) => calls.push(`recent ${path}`),
    clearRecent: () => calls.push('clear'),
    revealDataFolder: () => calls.push('reveal'),
    openDocs: () => calls.push('docs'),
    copyDiagnostics: () => calls.push('diagnostics'),
  };
  const submenu = (item: MenuItemConstructorOptions | undefined) => (item?.submenu ?? []) as MenuItemConstructorOptions[];
  const click = (item: MenuItemConstructorOptions | undefined) => (item?.click as (() => void) | undefined)?.();

  it('has File (a new project, open a project or a .wasm, recent projects, reveal the data folder), Edit, View, Window and Help', () => {
    const menu = appMenuTemplate(actions, ['/work/qrcode', '/work/api'], 'linux');
    assert.deepEqual(menu.map((m) => m.label ?? m.role), ['File', 'editMenu', 'View', 'windowMenu', 'help']);
    const file = submenu(menu[0]);
    const byLabel = (label: string) => file.find((i) => i.label === label);
    assert.equal(byLabel('New Project…')?.accelerator, 'CmdOrCtrl+N');
    assert.equal(byLabel('Open Project…')?.accelerator, 'CmdOrCtrl+O');
    assert.equal(byLabel('Open .wasm…')?.accelerator, 'CmdOrCtrl+Shift+O');
    const recent = submenu(byLabel('Open Recent'));
    assert.deepEqual(recent.map((i) => i.label ?? i.type), ['qrcode — /work/qrcode', 'api — /work/api', 'separator', 'Clear Recent']);
    calls.length = 0;
    for (const item of [byLabel('New Project…'), byLabel('Open Project…'), byLabel('Open .wasm…'), recent[1], recent[3], byLabel('Reveal Data Folder'), ...submenu(menu[4])]) click(item);
    assert.deepEqual(calls, ['new', 'project', 'wasm', 'recent /work/api', 'clear', 'reveal', 'docs', 'diagnostics']);
    assert.equal(file.at(-1)?.role, 'quit');
  });

  it('offers the developer tools only to a run from the sources, not in a packaged app', () => {
    const roles = (devTools: boolean) => submenu(appMenuTemplate(actions, [], 'linux', devTools).find((m) => m.label === 'View')).map((i) => i.role);
    assert.ok(roles(true).includes('toggleDevTools'));
    assert.ok(!roles(false).includes('toggleDevTools'));
  });

  it('says when there are no recent projects, and follows macOS conventions there', () => {
    const menu = appMenuTemplate(actions, [], 'darwin');
    assert.equal(menu[0]?.role, 'appMenu');
    const file = submenu(menu[1]);
    assert.deepEqual(submenu(file.find((i) => i.label === 'Open Recent')).map((i) => [i.label, i.enabled]), [['No recent projects', false]]);
    assert.equal(file.at(-1)?.role, 'close');
  });
});

describe('the build indicator in the dock or taskbar', () => {
  it('shows progress while a build runs and a badge while the last build failed', () => {
    assert.deepEqual(buildIndicator('running'), { progress: 2, badge: 0 });
    assert.deepEqual(buildIndicator('failed'), { progress: -1, badge: 1 });
    assert.deepEqual(buildIndicator('ok'), { progress: -1, badge: 0 });
    assert.deepEqual(buildIndicator('cancelled'), { progress: -1, badge: 0 });
    assert.deepEqual(buildIndicator(undefined), { progress: -1, badge: 0 });
  });
});
