// Every file and folder a project config names, when it leads nowhere, as a user meets it in
// the terminal: one sentence naming the config key and the resolved path, a hint, and never a
// stack trace. The session waits for a fix (a save) instead of ending.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import selfsigned from 'selfsigned';
import { messageProject, type MessageProject } from '../helpers/message-project.ts';
import { answerBecomes } from '../helpers/answer-becomes.ts';
import { launchStudio, runStudio, startStudio } from '../helpers/studio-process.ts';

/** A stack frame as Node prints one. */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/** Runs the studio once (no watching) on a message project with `config` added; it must fail at its first build. */
async function firstBuildError(config: string, prepare: (project: MessageProject) => Promise<void> = async () => {}): Promise<{ output: string; root: string }> {
  const project = await messageProject('hello\n', config);
  try {
    await prepare(project);
    const { code, output } = await runStudio(['dev', project.root, '--no-ui', '--no-watch', '--port', '0']);
    assert.equal(code, 1, output);
    assert.doesNotMatch(output, STACK_FRAME, 'no stack trace');
    assert.doesNotMatch(output, /internal-error|failed unexpectedly/);
    return { output, root: project.root };
  } finally {
    await project.remove();
  }
}

describe('files named in the config that are missing or of the wrong kind', () => {
  it('dev.tls_cert_path: names the key and the resolved path', async () => {
    const { output, root } = await firstBuildError('dev:\n  tls_cert_path: certs/missing.pem\n  tls_key_path: key.pem\n');
    assert.match(output, new RegExp(`dev\\.tls_cert_path: ${escape(join(root, 'certs', 'missing.pem'))} does not exist\\.\\n\\s+hint: Create the file, or fix dev\\.tls_cert_path`));
  });

  it('dev.tls_key_path: names the key and the resolved path', async () => {
    const { output, root } = await firstBuildError('dev:\n  tls_cert_path: cert.pem\n  tls_key_path: missing-key.pem\n', (p) => writeFile(join(p.root, 'cert.pem'), 'x'));
    assert.match(output, new RegExp(`dev\\.tls_key_path: ${escape(join(root, 'missing-key.pem'))} does not exist\\.`));
  });

  it('dev.tls_ca_path: names the key and the resolved path', async () => {
    const { output, root } = await firstBuildError('dev:\n  tls_cert_path: cert.pem\n  tls_key_path: key.pem\n  tls_ca_path: ca.pem\n', async (p) => {
      await writeFile(join(p.root, 'cert.pem'), 'x');
      await writeFile(join(p.root, 'key.pem'), 'x');
    });
    assert.match(output, new RegExp(`dev\\.tls_ca_path: ${escape(join(root, 'ca.pem'))} does not exist\\.`));
  });

  it('TLS files that are not a certificate and key: tls-invalid, naming the keys and the files', async () => {
    const { output, root } = await firstBuildError('dev:\n  tls_cert_path: cert.pem\n  tls_key_path: key.pem\n', async (p) => {
      await writeFile(join(p.root, 'cert.pem'), 'not a certificate\n');
      await writeFile(join(p.root, 'key.pem'), 'not a key\n');
    });
    assert.match(output, new RegExp(`dev\\.tls_cert_path, dev\\.tls_key_path: ${escape(join(root, 'cert.pem'))} and ${escape(join(root, 'key.pem'))} do not make a usable certificate and private key`));
    assert.match(output, /hint: Use PEM files/);
  });

  it('dev.components: names the entry and the resolved path', async () => {
    const { output, root } = await firstBuildError('dev:\n  components:\n    - name: api\n      file: out/api.wasm\n');
    assert.match(output, new RegExp(`dev\\.components\\[0\\]\\.file \\("api"\\): ${escape(join(root, 'out', 'api.wasm'))} does not exist\\.`));
  });

  it('dev.components: a component named like the project\'s own (its folder) is config-invalid, not put in its place', async () => {
    let folder = '';
    const { output } = await firstBuildError('dev:\n  components:\n    - name: PLACEHOLDER\n      file: other.wasm\n', async (p) => {
      folder = p.root.split(/[\\/]/).pop()!;
      const config = join(p.root, '.wash', 'config.yaml');
      await writeFile(config, (await readFile(config, 'utf8')).replace('PLACEHOLDER', folder));
      await writeFile(join(p.root, 'other.wasm'), 'not read');
    });
    assert.match(output, new RegExp(`dev\\.components: the component "${escape(folder)}" .* has the name of the project's own component, named after its folder, and would take its place\\.`));
    assert.match(output, /hint: Give it another name in \.wash\/config\.yaml/);
  });

  it('dev.wasi_keyvalue_path: a file where the folder should be', async () => {
    const { output, root } = await firstBuildError('dev:\n  wasi_keyvalue_path: kv\n', (p) => writeFile(join(p.root, 'kv'), 'a file'));
    assert.match(output, new RegExp(`dev\\.wasi_keyvalue_path: ${escape(join(root, 'kv'))} is a file, not a folder\\.`));
  });

  it('dev.wasi_blobstore_path: a path that runs through a file', async () => {
    const { output, root } = await firstBuildError('dev:\n  wasi_blobstore_path: data/blobs\n', (p) => writeFile(join(p.root, 'data'), 'a file'));
    assert.match(output, new RegExp(`dev\\.wasi_blobstore_path: ${escape(join(root, 'data'))}, on the way to ${escape(join(root, 'data', 'blobs'))}, is a file, not a folder\\.`));
  });

  it('build.component_path: a path that runs through a file', async () => {
    const { output, root } = await firstBuildError('  component_path: out/app.wasm\n', (p) => writeFile(join(p.root, 'out'), 'a file'));
    assert.match(output, new RegExp(`build\\.component_path: cannot make the folder for ${escape(join(root, 'out', 'app.wasm'))}`));
  });

  it('the config file itself, when it is a folder: config-unreadable', async () => {
    const { output, root } = await firstBuildError('', async (p) => {
      await rm(join(p.root, '.wash', 'config.yaml'));
      await mkdir(join(p.root, '.wash', 'config.yaml'));
    });
    assert.match(output, new RegExp(`${escape(join(root, '.wash', 'config.yaml'))} cannot be read`));
  });
});

describe('a missing TLS file', () => {
  it('waits for the fix, then serves HTTPS', async () => {
    const project = await messageProject('fixed\n', 'dev:\n  tls_cert_path: cert.pem\n  tls_key_path: key.pem\n');
    const studio = launchStudio(project.root);
    try {
      await studio.waitFor(`dev.tls_cert_path: ${join(project.root, 'cert.pem')} does not exist.`);
      const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
        notAfterDate: new Date(Date.now() + 86_400_000),
        extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
      });
      await writeFile(join(project.root, 'key.pem'), pems.private);
      await writeFile(join(project.root, 'cert.pem'), pems.cert);
      const url = await studio.serving(60_000);
      assert.match(url, /^https:/);
      assert.equal(await getText(url, pems.cert), 'fixed\n');
      assert.doesNotMatch(studio.output(), STACK_FRAME);
    } finally {
      await studio.stop();
      await project.remove();
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function getText(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpsRequest(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

describe('the project folder itself', () => {
  it('when it is deleted while open: says so on the next rebuild, and the last good version keeps serving', async () => {
    const project = await messageProject('still here\n');
    // With the UI, so requests are captured: the traffic the studio keeps lives in the project.
    const studio = launchStudio(project.root, [], { ui: true });
    try {
      const url = await studio.serving();
      const before = studio.output().length;
      await project.remove();
      // The first request captured after the deletion: its traffic has nowhere to go, and the
      // studio must not bring the project folder back to put it there.
      assert.equal(await (await fetch(url)).text(), 'still here\n', 'the last good version keeps serving');
      await studio.waitFor(/The project folder .*message is gone \(deleted, moved or unmounted\)\./, 30_000, before);
      assert.doesNotMatch(studio.output().slice(before), /No entry file found/);
      assert.equal(await (await fetch(url)).text(), 'still here\n', 'the last good version keeps serving');
      assert.equal(existsSync(project.root), false, 'the deleted project folder stays deleted');
    } finally {
      await studio.stop();
      await project.remove();
    }
  });

  it('when it is moved away and back: watched again, and the next save is built', async () => {
    const project = await messageProject('before the move\n');
    const studio = await startStudio(project.root);
    const away = `${project.root}-away`;
    try {
      const before = studio.output().length;
      await rename(project.root, away);
      await studio.waitFor(/is gone \(deleted, moved or unmounted\)/, 30_000, before);
      await rename(away, project.root);
      await studio.waitFor(/is back: watching it again/, 30_000, before);
      await project.save('after the move\n');
      await answerBecomes(studio.url, 'after the move\n');
    } finally {
      await studio.stop();
      if (existsSync(away)) await rename(away, project.root);
      await project.remove();
    }
  });
});

describe('a link in the config file\'s place that leads nowhere', () => {
  for (const [what, target] of [
    ['a link loop', 'config.yaml'],
    ['a link to a missing file', 'moved-away.yaml'],
  ] as const) {
    it(`${what}: config-unreadable at the first build, naming the file; never built with the defaults`, async () => {
      const { output, root } = await firstBuildError('', async (p) => {
        await rm(join(p.root, '.wash', 'config.yaml'));
        await symlink(target, join(p.root, '.wash', 'config.yaml'));
      });
      assert.match(output, new RegExp(`${escape(join(root, '.wash', 'config.yaml'))} cannot be read`));
      assert.doesNotMatch(output, /\.wash\/build\//, 'no build to the default component path');
    });
  }

  it('a link loop made while serving: reported at the next change, the last good version keeps serving, and the fix builds', async () => {
    const project = await messageProject('before\n');
    const studio = await startStudio(project.root);
    const config = join(project.root, '.wash', 'config.yaml');
    try {
      const text = await readFile(config, 'utf8');
      const before = studio.output().length;
      await rm(config);
      await symlink('config.yaml', config);
      await project.save('while the loop is there\n');
      await studio.waitFor(/config\.yaml cannot be read/, 30_000, before);
      assert.equal(await (await fetch(studio.url)).text(), 'before\n', 'the last good version keeps serving');
      const fixedAt = studio.output().length;
      await writeFile(`${config}.new`, text);
      await rename(`${config}.new`, config);
      await studio.waitFor(/reloaded in/, 60_000, fixedAt).catch((error: unknown) => assert.fail(`${String(error)}\n${studio.output().slice(before)}`));
      await answerBecomes(studio.url, 'while the loop is there\n');
    } finally {
      await studio.stop();
      await project.remove();
    }
  });
});

describe('a pipe in the config file\'s place', () => {
  it('is reported as unreadable at the next change, without reading it; the last good version keeps serving, and the next fix builds', async () => {
    const project = await messageProject('before\n');
    const studio = await startStudio(project.root);
    const config = join(project.root, '.wash', 'config.yaml');
    try {
      const text = await readFile(config, 'utf8');
      const before = studio.output().length;
      await rm(config);
      // Opening a FIFO for reading waits for a writer: a watcher or a reload that did would hang here.
      execFileSync('mkfifo', [config]);
      await project.save('while the pipe is there\n');
      await studio.waitFor(/config\.yaml cannot be read: it is not a regular file \(a pipe or a device\)/, 30_000, before);
      assert.equal(await (await fetch(studio.url)).text(), 'before\n', 'the last good version keeps serving');
      // Put back in one step (renamed over the pipe), as an editor saves.
      const fixedAt = studio.output().length;
      await writeFile(`${config}.new`, text);
      await rename(`${config}.new`, config);
      await studio.waitFor(/reloaded in/, 60_000, fixedAt).catch((error: unknown) => assert.fail(`${String(error)}\n${studio.output().slice(before)}`));
      await answerBecomes(studio.url, 'while the pipe is there\n');
    } finally {
      await studio.stop();
      await project.remove();
    }
  });
});
