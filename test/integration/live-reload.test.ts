// The dev loop: every save rebuilds and swaps the component with no failed request; a failed
// build keeps the last good version serving; a failed first build waits for the fix.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messageBuildCommand, messageProject, type MessageProject } from '../helpers/message-project.ts';
import { launchStudio, letWatcherSettle, reloadAfter, startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { answerBecomes } from '../helpers/answer-becomes.ts';
import { watFixture } from '../fixtures/fixtures.ts';

describe('live reload of a project', () => {
  let project: MessageProject;
  let studio: StudioProcess;
  before(async () => {
    project = await messageProject('version one\n', 'dev:\n  volumes:\n    - host_path: files\n      guest_path: /files\n');
    await mkdir(join(project.root, 'files'));
    studio = await startStudio(project.root);
  });
  after(async () => {
    await studio.stop();
    await project.remove();
  });

  it('serves the first build', async () => {
    assert.equal(await fetch(studio.url).then((r) => r.text()), 'version one\n');
  });

  it('serves the new version after a save and prints one line for the reload', async () => {
    await project.save('version two\n');
    await answerBecomes(studio.url, 'version two\n');
    await studio.waitFor(/build \d+: reloaded in (\d+ ms|\d+\.\d s) \(build (\d+ ms|\d+\.\d s)\)/);
  });

  it('keeps the old version serving when a build fails, and shows the compiler message', async () => {
    await project.save('version three\nSYNTAX ERROR here\n');
    await studio.waitFor(/message\.txt:2:1: unexpected SYNTAX ERROR/);
    await studio.waitFor(/build \d+ failed: The build command failed with exit code 1/);
    await studio.waitFor(/the last good version keeps serving/);
    assert.equal(await fetch(studio.url).then((r) => r.text()), 'version two\n');
  });

  it('serves the fixed version after the fix', async () => {
    await project.save('version four\n');
    await answerBecomes(studio.url, 'version four\n');
  });

  it('cancels a hanging build on the next save', async () => {
    await project.save('HANG\n');
    await studio.waitFor('this build hangs on purpose');
    await project.save('version five\n');
    await answerBecomes(studio.url, 'version five\n');
  });

  it('ignores writes to build output, data folders, volumes and the studio\'s own folder: the next save is the next build', async () => {
    const lastBuild = studio.lastBuild();
    // What the studio keeps while it runs (captured traffic, say) goes to .wash/studio.
    await mkdir(join(project.root, '.wash', 'studio', 'traffic'), { recursive: true });
    await writeFile(join(project.root, '.wash', 'studio', 'traffic', 'spill.jsonl'), '{}\n');
    await mkdir(join(project.root, '.wash', 'data', 'keyvalue', 'b'), { recursive: true });
    await writeFile(join(project.root, '.wash', 'data', 'keyvalue', 'b', 'k'), 'v');
    await mkdir(join(project.root, 'target'), { recursive: true });
    await writeFile(join(project.root, 'target', 'x.o'), 'x');
    await writeFile(join(project.root, 'files', 'written-at-run-time.txt'), 'x');
    await studio.waitFor(/INFO\s+studio dev\.volumes: changes in \S+files do not rebuild/);
    await letWatcherSettle();
    // Had any of those writes started a build, the save's reload would be build lastBuild + 2
    // (the build they started was either done by now or cancelled by the save).
    const saved = studio.output().length;
    await project.save('version six\n');
    assert.equal(await reloadAfter(studio, saved), lastBuild + 1, studio.output());
    assert.equal(await fetch(studio.url).then((r) => r.text()), 'version six\n');
  });
});

describe('build output outside the folders the watcher ignores', () => {
  for (const componentPath of ['app.wasm', 'out/app.wasm']) {
    it(`builds once for build.component_path ${componentPath}, serves, and the next save is build 2`, async () => {
      const project = await messageProject('built once\n', `  component_path: ${componentPath}\n`);
      // A build whose own output starts another build never serves: fail within a minute
      // (a loaded machine takes up to 7 s to serve it) instead of the helpers' 3 minutes.
      const studio = await startStudio(project.root, [], 60_000);
      try {
        assert.equal(await fetch(studio.url).then((r) => r.text()), 'built once\n');
        await project.save('saved once\n');
        await answerBecomes(studio.url, 'saved once\n');
        await studio.waitFor('build 2: reloaded');
        assert.equal(studio.lastBuild(), 2, studio.output());
      } finally {
        await studio.stop();
        await project.remove();
      }
    });
  }

  it('does not rebuild when the build writes a dev.components file', async () => {
    const project = await messageProject('main\n', 'dev:\n  components:\n    - name: extra\n      file: extra.wasm\n');
    await project.writeConfig(
      `build:\n  command: ${JSON.stringify(`${messageBuildCommand()} && cp "$WASH_COMPONENT_PATH" extra.wasm`)}\ndev:\n  components:\n    - name: extra\n      file: extra.wasm\n`,
    );
    const studio = await startStudio(project.root, []);
    try {
      await project.save('main, saved\n');
      await answerBecomes(studio.url, 'main, saved\n');
      await studio.waitFor('build 2: reloaded');
      assert.equal(studio.lastBuild(), 2, studio.output());
    } finally {
      await studio.stop();
      await project.remove();
    }
  });

  it('does not rebuild for ever when the build regenerates a watched source with the same bytes', async () => {
    // As a bindings generator does: every build writes src/bindings.ts, a file the watcher watches.
    const project = await messageProject('generated\n');
    await project.writeConfig(`build:\n  command: ${JSON.stringify(`${messageBuildCommand()} && mkdir -p src && echo "// generated" > src/bindings.ts`)}\n`);
    const studio = await startStudio(project.root, []);
    try {
      assert.equal(await fetch(studio.url).then((r) => r.text()), 'generated\n');
      await new Promise((resolve) => setTimeout(resolve, 3000));
      // The first write of the file is new to the watcher: one more build, then quiet. Two on
      // a loaded machine, when the watcher saw the file created empty (the shell's `>`) and
      // then written, in two batches of events.
      assert.ok(studio.lastBuild() <= 3, studio.output());
      await project.save('saved\n');
      await answerBecomes(studio.url, 'saved\n');
    } finally {
      await studio.stop();
      await project.remove();
    }
  });

  // The default component path is inside .wash/build/, a folder the watcher otherwise ignores.
  for (const [where, componentPath] of [['build.component_path', 'app.wasm'], ['the default component path', '.wash/build/copied.wasm']] as const) {
    it(`reloads when a new component is copied over ${where} by hand (build.command: "true")`, async () => {
      const root = join(await mkdtemp(join(tmpdir(), 'studio-copied-')), 'copied');
      await mkdir(join(root, '.wash', 'build'), { recursive: true });
      const configured = componentPath === 'app.wasm' ? `  component_path: ${componentPath}\n` : '';
      await writeFile(join(root, '.wash', 'config.yaml'), `build:\n  command: "true"\n${configured}`);
      await copyFile(await watFixture('hello'), join(root, componentPath));
      const studio = await startStudio(root, []);
      try {
        assert.equal(await fetch(studio.url).then((r) => r.text()), 'hello from wat\n');
        // hello-echo answers a GET with its (empty) body and the method in a header.
        await copyFile(await watFixture('hello-echo'), join(root, componentPath));
        await studio.waitFor('build 2: reloaded');
        const res = await fetch(studio.url);
        assert.equal(res.headers.get('x-echo-method'), 'GET');
        assert.equal(studio.lastBuild(), 2, studio.output());
      } finally {
        await studio.stop();
        await rm(join(root, '..'), { recursive: true, force: true });
      }
    });
  }
});

describe('a project whose first build fails', () => {
  it('keeps the loop running and serves once the fix is saved', async () => {
    const project = await messageProject('SYNTAX ERROR at the start\n');
    const studio = launchStudio(project.root);
    try {
      await studio.waitFor('build 1 failed');
      await studio.waitFor('waiting for a change that fixes it');
      assert.equal(studio.child.exitCode, null, 'still running');
      await project.save('fixed at last\n');
      const url = await studio.serving();
      assert.equal(await fetch(url).then((r) => r.text()), 'fixed at last\n');
    } finally {
      await studio.stop();
      await project.remove();
    }
  });
});

describe('config errors', () => {
  for (const [what, yaml, expected] of [
    ['a wrong type', 'build:\n  command: 5\n', /build\.command: expected string, received number/],
    ['a YAML syntax error', 'build:\n  command: "unclosed\n', /config\.yaml:\d+:\d+: /],
    ['a wrong nested type', 'dev:\n  components:\n    - name: x\n      file: [1]\n', /dev\.components\[0\]\.file: expected string/],
  ] as const) {
    it(`reports ${what} with the file and key path, and waits for a fix`, async () => {
      const project = await messageProject('hello\n');
      await project.writeConfig(yaml);
      const studio = launchStudio(project.root);
      try {
        await studio.waitFor(expected);
        assert.match(studio.output(), /\.wash\/config\.yaml/);
        assert.equal(studio.child.exitCode, null, 'still running');
      } finally {
        await studio.stop();
        await project.remove();
      }
    });
  }

  it('warns about an unknown key without failing', async () => {
    const project = await messageProject('hello\n', 'dev:\n  shiny_new_option: true\n');
    const studio = await startStudio(project.root);
    try {
      await studio.waitFor(/WARN\s+studio .*config\.yaml: dev\.shiny_new_option: unknown key, ignored/);
      assert.equal(await fetch(studio.url).then((r) => r.text()), 'hello\n');
    } finally {
      await studio.stop();
      await project.remove();
    }
  });
});

describe('zero downtime', () => {
  it('answers every request of a steady load across 10 reloads', async () => {
    const project = await messageProject('reload 0\n');
    const studio = await startStudio(project.root);
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const seen = new Set<string>();
    const client = async () => {
      while (!stop) {
        try {
          const res = await fetch(studio.url);
          const text = await res.text();
          if (res.status === 200) {
            ok++;
            seen.add(text);
          } else failures.push(`${res.status} ${text}`);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    };
    try {
      const clients = [client(), client(), client(), client()];
      for (let i = 1; i <= 10; i++) {
        await project.save(`reload ${i}\n`);
        await answerBecomes(studio.url, `reload ${i}\n`);
      }
      stop = true;
      await Promise.all(clients);
      assert.deepEqual(failures, []);
      assert.ok(ok > 100, `only ${ok} requests were made`);
      assert.ok(seen.size >= 10, `saw ${seen.size} versions`);
    } finally {
      stop = true;
      await studio.stop();
      await project.remove();
    }
  });
});
