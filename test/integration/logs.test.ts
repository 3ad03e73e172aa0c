// The log as the Logs view reads it (logs.query over the bridge) and as the terminal prints
// it: what components print keeps its stream and stays at info, and the studio's own progress
// (the header, the build, the start, serving, reloads, failures) is in the log too, so a
// window opened after start shows what happened, while the terminal prints each line once.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { stripVTControlCharacters } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { LogRecordView } from '../../runtime/studio/api.ts';
import { startDesktopStudio, type DesktopStudio } from '../../runtime/studio/desktop-studio.ts';
import type { StudioEvent } from '../../runtime/studio/studio-service.ts';
import { watFixtureAlone } from '../fixtures/fixtures.ts';
import { messageProject, type MessageProject } from '../helpers/message-project.ts';
import { StudioApiClient } from '../helpers/studio-api-client.ts';
import { startStudio, testCacheDir, type StudioProcess } from '../helpers/studio-process.ts';

const textsOf = (records: LogRecordView[]) => records.map((r) => r.text);
/** The stdio fixture's second stderr line, escape codes and all: the log keeps what was printed. */
const STDERR_LINK_LINE = 'a link to \x1b]8;;https://wasmcloud.com/\x1b\\wasmCloud\x1b]8;;\x1b\\, \x1b[?25lno stray codes\x1b(B';

/** How many lines of `output` match `line`. */
// CI terminals get colours (picocolors honours CI), so lines are matched without them.
function countLines(output: string, line: RegExp): number {
  return stripVTControlCharacters(output).split('\n').filter((l) => line.test(l)).length;
}

describe('the log of a component that prints on stdout and stderr, through the CLI and the UI', () => {
  let dir: string;
  let studio: StudioProcess;
  let client: StudioApiClient;

  before(async () => {
    const component = await watFixtureAlone('stdio');
    dir = component.dir;
    studio = await startStudio(component.wasm, ['--workers', '1'], 120_000, { ui: true });
    client = await StudioApiClient.connect(studio.studioUrl);
    assert.equal((await fetch(studio.url)).status, 200);
    await studio.waitFor('stdio says hello on stderr');
  });

  after(async () => {
    client?.close();
    await studio?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('logs both streams at info under the component, each record saying its stream', async () => {
    const { records } = await client.call('logs.query', { sources: ['stdio'] });
    const printed = records.filter((r) => r.text.startsWith('stdio says hello'));
    assert.deepEqual(
      printed.map((r) => [r.level, r.stream, r.text]),
      [
        ['info', 'stdout', 'stdio says hello on stdout'],
        ['info', 'stderr', 'stdio says hello on stderr'],
      ],
    );
  });

  it('prints a stderr line on the terminal at INFO', () => {
    assert.match(studio.output(), /^\S+ INFO\s+stdio stdio says hello on stderr$/m);
  });

  it('keeps one stream when logs.query asks for it, and no record without a stream', async () => {
    const stderr = await client.call('logs.query', { stream: 'stderr' });
    assert.deepEqual(textsOf(stderr.records), ['stdio says hello on stderr', STDERR_LINK_LINE]);
    assert.equal(stderr.total, 2);
    const stdout = await client.call('logs.query', { stream: 'stdout' });
    assert.deepEqual(textsOf(stdout.records), ['stdio says hello on stdout']);
  });

  it('refuses a stream that is not stdout or stderr, naming the field', async () => {
    await assert.rejects(client.send('logs.query', { stream: 'stdlog' }), (err: Error) => /bad-arguments: logs\.query: stream/.test(err.message));
  });

  it('holds the studio\'s own progress lines, under the studio source', async () => {
    const { records } = await client.call('logs.query', { sources: ['studio'] });
    const texts = textsOf(records);
    const expected = [/^Component Studio dev · component \S+stdio\.wasm/, /^data {6}keyvalue .*\n {10}blobstore /, /^preparing the component .*…$/, /^starting workers…$/, /^✓ started$/, /^component stdio: exports wasi:http\/incoming-handler/, /^serving {3}http:\/\/127\.0\.0\.1:\d+\/ \(stdio\)$/, /^watching for changes/];
    let at = 0;
    for (const pattern of expected) {
      const found = texts.findIndex((text, i) => i >= at && pattern.test(text));
      assert.ok(found >= 0, `no studio line matching ${pattern} (in order) among:\n${texts.join('\n')}`);
      at = found + 1;
    }
    assert.ok(records.every((r) => r.level === 'info' && r.stream === undefined));
  });

  it('prints each progress line once, in its own form rather than as a log record', () => {
    const output = studio.output();
    assert.equal(countLines(output, /serving\s+http:\/\//), 1, output);
    assert.equal(countLines(output, /^✓ started$/), 1, output);
    assert.equal(countLines(output, /Component Studio dev ·/), 1, output);
    assert.doesNotMatch(stripVTControlCharacters(output), /INFO\s+studio (serving|✓|Component Studio|preparing|starting workers)/);
  });
});

describe('the log of a project\'s builds and reloads', () => {
  let project: MessageProject;
  let studio: StudioProcess;
  let client: StudioApiClient;

  before(async () => {
    project = await messageProject('first\n');
    studio = await startStudio(project.root, ['--workers', '1'], 120_000, { ui: true });
    client = await StudioApiClient.connect(studio.studioUrl);
  });

  after(async () => {
    client?.close();
    await studio?.stop();
    await project?.remove();
  });

  const studioTexts = async () => textsOf((await client.call('logs.query', { sources: ['studio'] })).records);

  it('holds the first build\'s steps', async () => {
    const texts = await studioTexts();
    assert.ok(texts.includes('building with build.command…'), texts.join('\n'));
    assert.ok(texts.some((t) => /^✓ built in \d/.test(t)), texts.join('\n'));
  });

  it('holds one line per reload', async () => {
    await project.save('second\n');
    await studio.waitFor('build 2: reloaded');
    const texts = await studioTexts();
    assert.equal(texts.filter((t) => /^↻ build 2: reloaded in (\d+ ms|\d+\.\d s) \(build (\d+ ms|\d+\.\d s)\)$/.test(t)).length, 1, texts.join('\n'));
  });

  it('holds a failed build as an error, with what keeps serving, and the build tool\'s output under build', async () => {
    await project.save('SYNTAX ERROR\n');
    await studio.waitFor('the last good version keeps serving');
    const { records } = await client.call('logs.query', { sources: ['studio'], minLevel: 'error' });
    assert.ok(records.some((r) => /^✗ build 3 failed: The build command\b.* failed with exit code 1/.test(r.text)), textsOf(records).join('\n'));
    const texts = await studioTexts();
    assert.ok(texts.includes('the last good version keeps serving; waiting for a fix'), texts.join('\n'));
    const build = textsOf((await client.call('logs.query', { sources: ['build'] })).records);
    assert.ok(build.some((t) => t.includes('message.txt:1:1: unexpected SYNTAX ERROR')), build.join('\n'));
  });
});

describe('the log of the desktop studio (the Electron shell\'s runtime)', () => {
  let dir: string;
  let desktop: DesktopStudio;
  let output = '';
  const cacheBefore = process.env.COMPONENT_STUDIO_CACHE;

  before(async () => {
    process.env.COMPONENT_STUDIO_CACHE = testCacheDir;
    const component = await watFixtureAlone('stdio');
    dir = component.dir;
    desktop = await startDesktopStudio({ target: component.wasm, port: 0, output: { write: (text) => (output += text) } });
    // A build whose outcome is ok has served: the serving lines come before it is marked so.
    await new Promise<void>((resolve) => {
      const off = desktop.service.subscribe((event: StudioEvent) => {
        if (event.event === 'build.changed' && event.payload.outcome === 'ok') {
          off();
          resolve();
        }
      });
      void desktop.service.invoke('project.get', {}).then((project) => {
        if (project.builds.some((b) => b.outcome === 'ok')) {
          off();
          resolve();
        }
      });
    });
  });

  after(async () => {
    await desktop?.close();
    await rm(dir, { recursive: true, force: true });
    if (cacheBefore === undefined) delete process.env.COMPONENT_STUDIO_CACHE;
    else process.env.COMPONENT_STUDIO_CACHE = cacheBefore;
  });

  it('holds the studio\'s progress lines, as the CLI\'s log does', async () => {
    const { records } = await desktop.service.invoke('logs.query', { sources: ['studio'] });
    const texts = textsOf(records);
    assert.ok(texts.some((t) => /^serving {3}http:\/\/127\.0\.0\.1:\d+\/ \(stdio\)$/.test(t)), texts.join('\n'));
    assert.ok(texts.includes('✓ started'), texts.join('\n'));
  });

  it('prints them on its terminal once, as the CLI does', () => {
    assert.equal(countLines(output, /serving\s+http:\/\//), 1, output);
    assert.equal(countLines(output, /^starting workers…$/), 1, output);
    assert.doesNotMatch(stripVTControlCharacters(output), /INFO\s+studio serving/);
  });
});
