// What a second start is told at once: a gateway port another program holds is said before
// the build (which may take a minute) and before any address is printed as ready; a project
// another studio has open is refused naming that studio's process and the address it serves
// the project at, so the user can find it.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { messageBuildCommand, messageProject } from '../helpers/message-project.ts';
import { launchStudio, runStudio } from '../helpers/studio-process.ts';

describe('a start that cannot serve', () => {
  it('says a taken gateway port at once, before building and before printing the studio URL', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    after(() => holder.close());
    const port = (holder.address() as AddressInfo).port;
    const project = await messageProject('never served\n');
    after(() => project.remove());
    // A build that takes a while, as a first componentize build does, and then succeeds.
    await project.writeConfig(`build:\n  command: ${JSON.stringify(`node -e "setTimeout(() => {}, 25000)" && ${messageBuildCommand()}`)}\n`);
    const started = performance.now();
    const { code, output } = await runStudio(['dev', project.root, '--port', String(port)], 90_000);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(code, 1, output);
    assert.match(output, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use\\.\\n\\s+hint: Stop the other program, or pick another port with --port N \\(0 picks a free one\\)\\.`));
    assert.doesNotMatch(output, /studio\s+http|building/);
    assert.ok(seconds < 20, `said after ${seconds.toFixed(1)} s, not at once:\n${output}`);
  });
});

describe('a project another studio has open', () => {
  it('is refused naming that studio\'s process and the address it serves the project at', async () => {
    const project = await messageProject('theirs\n');
    after(() => project.remove());
    const first = launchStudio(project.root);
    try {
      const url = await first.serving();
      const { code, output } = await runStudio(['dev', project.root, '--no-ui', '--port', '0'], 60_000);
      assert.equal(code, 1, output);
      assert.ok(output.includes(`is open in another Component Studio (process ${first.child.pid}), which serves it at ${url}.`), output);
    } finally {
      await first.stop();
    }
  });
});
