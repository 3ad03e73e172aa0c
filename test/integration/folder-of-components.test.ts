// A folder that holds prebuilt .wasm files and no project, as a new user opens it: the
// command line and the studio's Open both refuse it at once, naming the files and saying to
// open the file itself (also after serving one of them left `.wash/studio` beside it), and the
// project the UI serves keeps serving. An empty folder is refused the same way by both. A real
// project with no entry file that holds a .wasm says so in its build error.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StudioFailure, type StudioError } from '../../runtime/errors.ts';
import { LogBus } from '../../runtime/logs/log-bus.ts';
import { DevSession } from '../../runtime/session/dev-session.ts';
import { StudioService } from '../../runtime/studio/studio-service.ts';
import { defaultRuntimeSettings } from '../../runtime/workloads/workload.ts';
import { messageProject, type MessageProject } from '../helpers/message-project.ts';
import { runStudio, testCacheDir } from '../helpers/studio-process.ts';

const scratch = await mkdtemp(join(tmpdir(), 'studio-wasm-folder-'));
after(() => rm(scratch, { recursive: true, force: true }));
let counter = 0;

/** A folder holding counter.wasm (a component's header: the folder is refused before the rest is read), and what serving it leaves beside it with `leftovers`. */
async function wasmFolder(leftovers: boolean): Promise<string> {
  const dir = join(scratch, `x${counter++}`);
  await mkdir(dir);
  await writeFile(join(dir, 'counter.wasm'), Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]));
  if (leftovers) {
    await mkdir(join(dir, '.wash', 'studio', 'traffic'), { recursive: true });
    await mkdir(join(dir, '.wash', 'data', 'keyvalue'), { recursive: true });
  }
  return dir;
}

describe('component-studio dev on a folder that is no project', () => {
  it('a folder of .wasm files: refused at once, naming the file to open instead, before any studio URL', async () => {
    const dir = await wasmFolder(true);
    const { code, output } = await runStudio(['dev', dir, '--port', '0'], 60_000);
    assert.equal(code, 1, output);
    assert.match(output, /is not a component project .*but it holds the component counter\.wasm\./);
    assert.match(output, new RegExp(`hint: .*open ${join(dir, 'counter.wasm')} itself \\(Open in the studio, or component-studio dev ${join(dir, 'counter.wasm')}\\)`));
    assert.doesNotMatch(output, /No entry file|studio\s+http/);
  });

  it('an empty folder: refused at once, as the studio\'s Open refuses it, saying how to start a project there', async () => {
    const dir = join(scratch, `empty${counter++}`);
    await mkdir(dir);
    const { code, output } = await runStudio(['dev', dir, '--no-ui', '--port', '0'], 60_000);
    assert.equal(code, 1, output);
    assert.match(output, /is empty, so it is no component project yet\.\n\s+hint: To start one in it from an example, use Create in the studio's Settings, or run component-studio new /);
    assert.doesNotMatch(output, /No entry file|building/);
  });

  it('a project with no entry file that holds a .wasm: the build error names the file and says to open it', async () => {
    const dir = await wasmFolder(false);
    await mkdir(join(dir, '.wash'), { recursive: true });
    await writeFile(join(dir, '.wash', 'config.yaml'), 'build:\n  component_path: dist/app.wasm\n');
    const { code, output } = await runStudio(['dev', dir, '--no-ui', '--no-watch', '--port', '0'], 60_000);
    assert.equal(code, 1, output);
    assert.match(output, /No entry file found in .*\. It holds counter\.wasm: to serve it as it is, open the \.wasm file itself rather than the folder\./);
  });
});

describe('Open in the studio on a folder of .wasm files', () => {
  let project: MessageProject;
  let service: StudioService;
  let gatewayUrl: string;

  before(async () => {
    project = await messageProject('still serving\n');
    const logs = new LogBus();
    const settings = { ...defaultRuntimeSettings(testCacheDir), workers: 1 };
    const createSession = (target: string) => new DevSession({ target, port: 0, bodyLimitBytes: 2 ** 20, settings, logs });
    const session = createSession(project.root);
    service = new StudioService({ logs, session, target: project.root, createSession, configDir: join(scratch, 'config') });
    const started = await session.start();
    assert.ok(started.ok && started.value.url, JSON.stringify(started));
    gatewayUrl = started.value.url;
  });

  after(async () => {
    await service.close();
    await project.remove();
  });

  const refusal = async (path: string): Promise<StudioError> => {
    try {
      await service.call('project.open', { path });
    } catch (err) {
      if (err instanceof StudioFailure) return err.error;
      throw err;
    }
    throw new Error(`${path} was opened`);
  };

  for (const leftovers of [false, true]) {
    it(`is refused naming the .wasm to open instead${leftovers ? ', also after serving it left .wash/studio and .wash/data there' : ''}, and the project keeps serving`, async () => {
      const dir = await wasmFolder(leftovers);
      const error = await refusal(dir);
      assert.equal(error.code, 'not-a-project');
      assert.match(error.message, /holds the component counter\.wasm/);
      assert.match(error.hint ?? '', /open .*counter\.wasm itself/);
      assert.equal((await service.call('project.get', {}) as { path: string }).path, project.root);
      assert.equal(await fetch(gatewayUrl).then((r) => r.text()), 'still serving\n');
    });
  }
});
