// The runtime serves any wasi:http component, whatever made it, and survives components that
// trap, spin, exhaust memory or never answer. Components here are hand-written WAT turned into
// components by wasm-tools (as Rust, Go or C toolchains do), run through the real CLI.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { watFixture, watFixtureAlone, type WatFixture } from '../fixtures/fixtures.ts';
import { launchStudio, runStudio, startStudio, type StudioProcess } from '../helpers/studio-process.ts';

const folders: string[] = [];
after(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A studio on a fixture in a folder of its own: its data is not shared with test files running beside this one. */
async function serve(name: WatFixture, args: string[] = []): Promise<StudioProcess> {
  const { dir, wasm } = await watFixtureAlone(name);
  folders.push(dir);
  return startStudio(wasm, args);
}

describe('serving a component not made by componentize-js', () => {
  let studio: StudioProcess;
  before(async () => {
    studio = await serve('hello');
  });
  after(() => studio.stop());

  it('answers with the status, headers and body the component set', async () => {
    const res = await fetch(studio.url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain');
    assert.equal(await res.text(), 'hello from wat\n');
  });

  it('reuses instances across many requests, in parallel', async () => {
    const bodies = await Promise.all(Array.from({ length: 50 }, () => fetch(studio.url).then((r) => r.text())));
    assert.deepEqual(new Set(bodies), new Set(['hello from wat\n']));
  });

  it('prints the URL and the component\'s WIT world', () => {
    assert.match(studio.output(), /exports wasi:http\/incoming-handler@0\.2\.0/);
    assert.match(studio.output(), /imports .*wasi:http\/types@0\.2\.0/);
  });

  it('refuses malformed HTTP with 400 and keeps serving', async () => {
    const { connect } = await import('node:net');
    const { port } = new URL(studio.url);
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('GARBAGE \x00\x01 nonsense\r\n\r\n'));
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
    });
    assert.match(reply, /^HTTP\/1\.1 400/);
    assert.equal((await fetch(studio.url)).status, 200);
  });

  it('stops cleanly on Ctrl+C (SIGINT): exit code 0 and the port is closed', async () => {
    assert.equal(await studio.stop(), 0);
    await assert.rejects(fetch(studio.url));
  });
});

describe('streamed request and response bodies', () => {
  let studio: StudioProcess;
  before(async () => {
    studio = await serve('hello-echo', ['--body-limit', '2']);
  });
  after(() => studio.stop());

  it('passes method, path and query, and echoes a body byte for byte', async () => {
    const body = new Uint8Array(1_000_000).map((_, i) => (i * 7) % 251);
    const res = await fetch(`${studio.url}a/b?c=d`, { method: 'PUT', body });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-echo-method'), 'PUT');
    assert.equal(res.headers.get('x-echo-path'), '/a/b?c=d');
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), body);
  });

  it('streams a chunked upload through as it arrives', async () => {
    const parts = ['first ', 'second ', 'third'];
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (const part of parts) {
          controller.enqueue(new TextEncoder().encode(part));
          await new Promise((r) => setTimeout(r, 30));
        }
        controller.close();
      },
    });
    const res = await fetch(studio.url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    assert.equal(await res.text(), parts.join(''));
  });

  it('passes any method, including ones HTTP does not define', async () => {
    const res = await fetch(studio.url, { method: 'PURGE' });
    assert.equal(res.headers.get('x-echo-method'), 'PURGE');
  });

  it('refuses a body over the limit with 413, declared or streamed, and keeps serving', async () => {
    const big = new Uint8Array(3 * 2 ** 20);
    const declared = await fetch(studio.url, { method: 'POST', body: big });
    assert.equal(declared.status, 413);
    assert.match(await declared.text(), /over the \d+-byte limit/);
    const streamed = await fetch(studio.url, {
      method: 'POST',
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 3; i++) c.enqueue(new Uint8Array(2 ** 20));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit).catch((err: Error) => err);
    // The echo component sends its head before reading the body, so past the limit the
    // studio can only cut the response short; a component that reads first gets a 413.
    if (!(streamed instanceof Error) && streamed.status !== 413) await assert.rejects(streamed.arrayBuffer());
    assert.equal((await fetch(studio.url, { method: 'POST', body: 'ok' })).status, 200);
    await studio.waitFor(/request body over the \d+-byte limit refused with 413/);
  });
});

describe('components that misbehave', () => {
  it('a trap answers 500, logs the cause with the component name, and the next request is served', async () => {
    const studio = await serve('trap');
    try {
      const res = await fetch(studio.url);
      assert.equal(res.status, 500);
      await studio.waitFor(/\btrap trapped: .*unreachable.* \(how a language runtime aborts after a panic or an uncaught exception: its report, when it printed one, is in the lines just before\)\. A new instance/);
      assert.equal((await fetch(studio.url)).status, 500, 'a second request gets an answer too');
    } finally {
      await studio.stop();
    }
  });

  it('an infinite loop times out with 504, the worker is replaced, and other requests are served meanwhile', async () => {
    const timeoutMs = 6000;
    const loop = await serve('loop', ['--timeout', String(timeoutMs / 1000), '--workers', '2']);
    try {
      const answeredAt: number[] = [];
      const spinning = [fetch(loop.url), fetch(loop.url), fetch(loop.url)].map((answer) => answer.then((res) => (answeredAt.push(performance.now()), res)));
      const answers = await Promise.all(spinning);
      assert.deepEqual(answers.map((r) => r.status), [504, 504, 504]);
      // Three loops on two workers: the pool grew, so the third loop ran beside the others.
      // Had it waited for a worker to time out, it would have started only then and answered
      // a whole timeout after the first two.
      const spread = Math.max(...answeredAt) - Math.min(...answeredAt);
      assert.ok(spread < timeoutMs, `the last 504 came ${Math.round(spread)} ms after the first: the third request waited for a worker to time out`);
      await loop.waitFor(/did not answer within 6 s \(504 Gateway Timeout\); its worker was stopped and replaced/);
      assert.equal((await fetch(loop.url)).status, 504, 'still serving after replacing workers');
    } finally {
      await loop.stop();
    }
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`a request still running when the studio stops (${signal}) is answered 503 on its connection, not cut`, async () => {
      const loop = await serve('loop', ['--timeout', '20']);
      const answer = fetch(new URL('/spin', loop.url)).then(async (res) => ({ status: res.status, body: await res.text() }));
      await new Promise((resolve) => setTimeout(resolve, 500)); // the request reaches its worker
      loop.child.kill(signal);
      const { status, body } = await answer;
      assert.equal(status, 503);
      assert.match(body, /^\S+ stopped before it answered\.\n$/);
      const code = loop.child.exitCode ?? (await new Promise((resolve) => loop.child.once('exit', resolve)));
      assert.equal(code, 0);
    });
  }

  it('a component that exhausts its memory is stopped at the limit with a clear message', async () => {
    const studio = await serve('oom', ['--memory-limit', '64']);
    try {
      const res = await fetch(studio.url);
      assert.equal(res.status, 500);
      await studio.waitFor(/MiB of memory in use, near its limit of 64 MiB: it most likely ran out of memory/);
      assert.equal((await fetch(studio.url)).status, 500, 'the next request gets a new instance (which runs out again)');
    } finally {
      await studio.stop();
    }
  });

  it('a handler that returns without a response gets a 500 and a log line saying so', async () => {
    const studio = await serve('no-response');
    try {
      const res = await fetch(studio.url);
      assert.equal(res.status, 500);
      await studio.waitFor('the handler returned without setting a response');
    } finally {
      await studio.stop();
    }
  });
});

// Run with --no-watch, which ends the session after a failed start: watched, a bad file waits
// for a new version of itself (the last test).
describe('a response whose body the component never took', () => {
  it('is complete as it is (204, no body), with no warning that its body was not finished', async () => {
    const studio = await serve('no-body');
    try {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(studio.url);
        assert.equal(res.status, 204);
        assert.equal(await res.text(), '');
      }
      assert.doesNotMatch(studio.output(), /without finishing the response body/);
    } finally {
      await studio.stop();
    }
  });
});

describe('a composed component whose inner components pass a resource between them', () => {
  it('answers: the resource\'s borrow goes back to the component that defines it', async () => {
    const studio = await serve('composed-resource');
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(studio.url);
        assert.equal(res.status, 200, await res.clone().text());
        // fresh (the default): each request's counter is the instance's first.
        assert.equal(await res.text(), 'count 42 made 1 h 1\n');
      }
      assert.doesNotMatch(studio.output(), /trapped|borrow handles still remain/);
    } finally {
      await studio.stop();
    }
  });
});

describe('bad component files', () => {
  it('a missing file', async () => {
    const { code, output } = await runStudio(['dev', '/nonexistent/thing.wasm', '--port', '0']);
    assert.equal(code, 1);
    assert.match(output, /Nothing at \/nonexistent\/thing\.wasm/);
  });

  it('a file that is not WebAssembly', async () => {
    const { writeFile, mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'studio-bad-'));
    folders.push(dir);
    const file = join(dir, 'notes.wasm');
    await writeFile(file, 'this is text, not wasm');
    const { code, output } = await runStudio(['dev', file, '--port', '0', '--no-watch']);
    assert.equal(code, 1);
    assert.match(output, /is not a WebAssembly file/);
    assert.doesNotMatch(output, /waiting for a change/, 'a file that ends the session does not say it waits');
    const { readdir } = await import('node:fs/promises');
    assert.deepEqual(await readdir(dir), ['notes.wasm'], 'nothing made beside a file that is not a component (no .wash/studio/traffic)');
  });

  it('a core module instead of a component', async () => {
    const { code, output } = await runStudio(['dev', await watFixture('core-module'), '--port', '0', '--no-watch']);
    assert.equal(code, 1);
    assert.match(output, /is a core WebAssembly module, not a component/);
    assert.match(output, /hint: .*component new/);
  });

  it('a component importing an interface the studio does not provide names it with its version', async () => {
    const { code, output } = await runStudio(['dev', await watFixture('unknown-import'), '--port', '0', '--no-watch']);
    assert.equal(code, 1);
    assert.match(output, /imports an interface the studio does not provide:\s+example:missing\/thing@1\.2\.3/);
    // A file has no config to add a provider to: the hint says how a project would.
    assert.match(output, /hint: Serve it from a project instead: a folder whose \.wash\/config\.yaml names this file in build\.component_path, a build\.command that leaves it as it is/);
    assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
  });

  it('a component importing WebGPU is told the studio has none, and to use wash dev', async () => {
    const { code, output } = await runStudio(['dev', await watFixture('webgpu-import'), '--port', '0', '--no-watch']);
    assert.equal(code, 1);
    assert.match(output, /✗ version 1 cannot start: .* imports an interface the studio does not provide:\s+wasi:webgpu\/webgpu@0\.0\.1/);
    assert.match(output, /hint: Component Studio does not provide WebGPU \(wasi:webgpu, wasi:graphics-context\) yet\. Use wash dev/);
    assert.doesNotMatch(output, /Serve it from a project instead/, 'no project could provide it');
  });

  it('a wash plugin is told apart from a workload, with no fix that cannot work', async () => {
    const { code, output } = await runStudio(['dev', await watFixture('wash-plugin'), '--port', '0', '--no-watch']);
    assert.equal(code, 1);
    assert.match(output, /✗ version 1 cannot start: wash-plugin\S* is a wash plugin \(it exports wasmcloud:wash\/plugin@0\.0\.1\), not a workload: wash loads plugins into its own host to extend wash itself, and the wasmcloud:wash interfaces plugins import \(wasmcloud:wash\/types@0\.0\.1\) exist only there\./);
    assert.match(output, /hint: The studio runs workload components; open a component that serves HTTP or runs as a service instead\./);
    assert.doesNotMatch(output, /dev\.components|Serve it from a project instead/, 'no component can provide wash\'s interfaces');
  });

  it('an older wash plugin (wasmcloud:wash/subcommand) is told apart too, not run as a service that fails for ever', async () => {
    // It imports nothing of wash's and exports wasi:cli/run: unrecognised, it would start, as a service.
    const { code, output } = await runStudio(['dev', await watFixture('wash-subcommand'), '--port', '0', '--no-watch'], 60_000);
    assert.equal(code, 1, output);
    assert.match(output, /✗ version 1 cannot start: wash-subcommand\S* is a wash plugin \(it exports wasmcloud:wash\/subcommand@0\.1\.0\), not a workload: wash loads plugins into its own host to extend wash itself\./);
    assert.match(output, /hint: The studio runs workload components; open a component that serves HTTP or runs as a service instead\./);
    assert.doesNotMatch(output, /service \S+ running|starting it again/);
  });

  it('a WASI 0.3 component is said to be one, once, with the fix that works: build it for WASI 0.2', async () => {
    const { code, output } = await runStudio(['dev', await watFixture('wasi-p3-http'), '--port', '0', '--no-watch']);
    assert.equal(code, 1);
    assert.match(output, /✗ version 1 cannot start: wasi-p3-http\S* is a WASI 0\.3 \(preview 3\) component: it uses wasi:http@0\.3\.0 \(types, handler\)\. The studio runs WASI 0\.2 components and cannot run WASI 0\.3 ones yet/);
    assert.match(output, /hint: Build it for WASI 0\.2: the wasm32-wasip2 target/);
    assert.doesNotMatch(output, /does not provide|the studio provides|dev\.components|Serve it from a project instead|nothing to serve/, 'no other component or version of an interface can make it run');
  });

  it('a component using the component model\'s async ABI is said to need JSPI, which this Node lacks', { skip: 'Suspending' in WebAssembly ? 'this Node has JSPI: the component starts' : false }, async () => {
    const { code, output } = await runStudio(['dev', await watFixture('async-export'), '--port', '0', '--no-watch']);
    assert.equal(code, 1);
    assert.match(output, /✗ version 1 cannot start: async-export\S* uses the component model's async ABI, which jco runs with JavaScript Promise Integration \(WebAssembly\.Suspending and WebAssembly\.promising\), and this Node \(v\d+\.\d+\.\d+\) lacks it\. This is not a fault in the component\./);
    assert.ok(output.includes(`this Node (${process.version})`), output);
    assert.match(output, /hint: Build it without async exports or imports \(WASI 0\.2, sync functions\), or run the studio on a Node whose WebAssembly has JSPI enabled\./);
    assert.doesNotMatch(output, /is not a (constructor|function)|Check the log for what the component printed/);
  });

  it('a component that exports nothing servable', async () => {
    const { code, output } = await runStudio(['dev', await watFixture('no-exports'), '--port', '0', '--no-watch']);
    assert.equal(code, 1);
    assert.match(output, /no-exports\S* exports only add, which is not wasi:http\/incoming-handler, so there is nothing to serve\./);
    assert.match(output, /hint: .*or wasi:cli\/run to run it as a service\./);
    assert.doesNotMatch(output, /dev\.service/, 'a file has no config that could say dev.service');
  });

  it('a component with several exports, none servable, names them all; one with none says it exports nothing', async () => {
    const several = await runStudio(['dev', await watFixture('functions-only'), '--port', '0', '--no-watch']);
    assert.equal(several.code, 1);
    assert.match(several.output, /functions-only\S* exports add, sub, and none of them is wasi:http\/incoming-handler, so there is nothing to serve\./);
    const none = await runStudio(['dev', await watFixture('exports-nothing'), '--port', '0', '--no-watch']);
    assert.equal(none.code, 1);
    assert.match(none.output, /✗ version 1 cannot start: exports-nothing\S* exports nothing, so there is nothing to serve\./);
  });

  it('a reload to a version that serves no HTTP says so at the reload, and its 503 says why', async () => {
    const { dir, wasm } = await watFixtureAlone('hello');
    folders.push(dir);
    const studio = launchStudio(wasm, ['--port', '0']);
    try {
      const url = await studio.serving();
      assert.equal(await (await fetch(url)).text(), 'hello from wat\n');
      const { copyFile, rename } = await import('node:fs/promises');
      // The same file, now a service: it exports wasi:cli/run and no HTTP handler.
      await copyFile(await watFixture('cli-service'), `${wasm}.tmp`);
      await rename(`${wasm}.tmp`, wasm);
      await studio.waitFor(/↻ build 2: reloaded in (\d+ ms|\d+\.\d s)\nno HTTP\s+build 2 exports no wasi:http\/incoming-handler, so nothing answers HTTP: requests get 503; the service hello\S* runs/);
      const res = await fetch(url);
      assert.equal(res.status, 503);
      assert.equal(
        await res.text(),
        'This version (build 2) serves no HTTP: none of its components exports wasi:http/incoming-handler. Its service hello runs (it exports wasi:cli/run@0.2.0). Export wasi:http/incoming-handler@0.2.x from the component\'s world to serve HTTP here again.\n',
      );
    } finally {
      await studio.stop();
    }
  });

  it('a component whose start never returns is stopped after the start timeout and said so; a good version written over it serves', async () => {
    const { dir, wasm } = await watFixtureAlone('start-loop');
    folders.push(dir);
    // 20 s unless told (test/unit/start-limit.test.ts); 2 s here, so the loop holds a core for less.
    const studio = launchStudio(wasm, ['--port', '0', '--timeout', '1', '--start-timeout', '2']);
    try {
      await studio.waitFor(/✗ version 1 cannot start: start-loop did not finish starting within 2 s: the code it runs as it starts \(a start function, static initializers\) may loop forever[\s\S]*--start-timeout SECONDS/, 60_000);
      const { copyFile, rename } = await import('node:fs/promises');
      await copyFile(await watFixture('hello'), `${wasm}.tmp`);
      await rename(`${wasm}.tmp`, wasm);
      const url = await studio.serving();
      assert.equal(await (await fetch(url)).text(), 'hello from wat\n');
    } finally {
      await studio.stop();
    }
  });

  it('watched, a file that cannot start waits for a new version of itself, and serves it', async () => {
    const { copyFile, mkdtemp, rename, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'studio-bad-'));
    folders.push(dir);
    const file = join(dir, 'app.wasm');
    await writeFile(file, 'half a build');
    const studio = launchStudio(file, ['--port', '0']);
    try {
      await studio.waitFor(/✗ version 1 cannot start: .*is not a WebAssembly file[\s\S]*waiting for a new version of the file/);
      // As a toolchain writes its output: to a temp file, then renamed over the old one.
      await copyFile(await watFixture('hello'), `${file}.tmp`);
      await rename(`${file}.tmp`, file);
      const url = await studio.serving();
      assert.equal(await (await fetch(url)).text(), 'hello from wat\n');
    } finally {
      await studio.stop();
    }
  });
});
