// The TCP service example (assets/examples/service-tcp) as a user runs it: the studio builds
// both components of the one project with its own builder (each from the world named like its
// file), runs the service beside the HTTP component, and the component counts through it over
// the workload's virtual loopback; a reload under steady load fails no request, the service
// included; a restarted service is unreachable for a moment and says so instead of hanging.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startStudio, type StudioProcess } from '../helpers/studio-process.ts';

describe('the TCP service example', () => {
  let temp: string;
  let project: string;
  let studio: StudioProcess;

  before(async () => {
    temp = await mkdtemp(join(tmpdir(), 'studio-service-example-'));
    project = join(temp, 'service-tcp');
    const example = join(repoRoot, 'assets', 'examples', 'service-tcp');
    await cp(example, project, { recursive: true, filter: (path) => !path.startsWith(join(example, 'dist')) });
    // Two componentize-js builds the first time (cached after).
    studio = await startStudio(project, ['--workers', '1'], 300_000);
  });
  after(async () => {
    await studio?.stop();
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('builds both components and counts through the service', async () => {
    await studio.waitFor(/counter service: listening on 127\.0\.0\.1:7777/);
    assert.equal(await (await fetch(`${studio.url}count/apples`)).text(), 'apples: 1\n');
    assert.equal(await (await fetch(`${studio.url}count/apples`)).text(), 'apples: 2\n');
  });

  it('reloads under steady load without a failed request, the service included', async () => {
    const failures: string[] = [];
    let answered = 0;
    let running = true;
    const load = (async () => {
      while (running) {
        const res = await fetch(`${studio.url}count/steady`).catch((err: Error) => err);
        if (res instanceof Error) failures.push(res.message);
        else if (res.status !== 200) failures.push(`${res.status} ${await res.text()}`);
        else {
          await res.arrayBuffer();
          answered++;
        }
      }
    })();
    const source = join(project, 'src', 'component.ts');
    const before = studio.lastBuild();
    await writeFile(source, `${await readFile(source, 'utf8')}\n// saved again\n`);
    await studio.waitFor(`build ${before + 1}: reloaded`, 300_000);
    // A few more after the swap, served by the new version and its new service.
    const after = answered;
    while (answered < after + 5) await new Promise((resolve) => setTimeout(resolve, 20));
    running = false;
    await load;
    assert.deepEqual(failures, [], `failed requests across the reload (of ${answered})`);
  });
});
