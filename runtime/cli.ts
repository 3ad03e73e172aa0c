// The command line: `component-studio dev [dir | file.wasm]`. Parses arguments, runs a dev
// session, prints progress and log records, and stops cleanly on Ctrl+C.
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import { studioCacheDir } from './cache-dir.ts';
import { describe } from './errors.ts';
import { LogBus } from './logs/log-bus.ts';
import { formatRecord } from './logs/terminal-printer.ts';
import { DevSession, type SessionEvent } from './session/dev-session.ts';
import { summarizeWorld } from './components/wit-world.ts';
import { defaultRuntimeSettings } from './workloads/workload.ts';
import type { InstanceStrategy } from './workloads/worker-protocol.ts';

const USAGE = `Usage: component-studio dev [dir | file.wasm] [options]

Builds a component project (or takes a .wasm component as it is), runs it and serves it
over HTTP.

Options:
  --port N            gateway port (default 8000; 0 picks a free one)
  --host ADDR         gateway address (default 127.0.0.1)
  --no-ui             run headless (the studio window comes in a later release)
  --workers N         worker threads serving requests (default: one per core, at least 2)
  --instances MODE    reuse (default): one instance per worker, reused across requests;
                      fresh: a new, pre-started instance for every request
  --timeout SECONDS   per-request timeout (default 30)
  --memory-limit MB   linear memory limit per instance (default 512)
  --body-limit MB     request body limit (default 100)
  -h, --help          show this help
`;

function fatal(message: string): never {
  process.stderr.write(`${pc.red('error')} ${message}\n`);
  process.exit(2);
}

function positiveNumber(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) fatal(`${name} must be a number of at least ${min}, not "${value}".`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'no-ui': { type: 'boolean' },
        workers: { type: 'string' },
        instances: { type: 'string' },
        timeout: { type: 'string' },
        'memory-limit': { type: 'string' },
        'body-limit': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    fatal(`${(err as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command, target = '.', ...extra] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(USAGE);
    return;
  }
  if (command !== 'dev') fatal(`unknown command "${command}".\n\n${USAGE}`);
  if (extra.length > 0) fatal(`dev takes one target, got ${positionals.length - 1}: ${positionals.slice(1).join(' ')}`);
  if (values.instances !== undefined && values.instances !== 'reuse' && values.instances !== 'fresh') {
    fatal(`--instances must be "reuse" or "fresh", not "${values.instances}".`);
  }

  const settings = defaultRuntimeSettings(studioCacheDir());
  settings.workers = positiveNumber(values.workers, '--workers', settings.workers);
  settings.maxWorkers = Math.max(settings.maxWorkers, settings.workers);
  settings.strategy = (values.instances as InstanceStrategy | undefined) ?? settings.strategy;
  settings.requestTimeoutMs = positiveNumber(values.timeout, '--timeout', 30, 0.001) * 1000;
  settings.memoryLimitBytes = positiveNumber(values['memory-limit'], '--memory-limit', 512) * 2 ** 20;

  const logs = new LogBus();
  logs.subscribe((record) => process.stdout.write(`${formatRecord(record)}\n`));
  const progress = new Progress();
  const session = new DevSession(
    {
      target,
      host: values.host ?? '127.0.0.1',
      port: positiveNumber(values.port, '--port', 8000, 0),
      bodyLimitBytes: positiveNumber(values['body-limit'], '--body-limit', 100) * 2 ** 20,
      settings,
      logs,
    },
    (event) => progress.show(event),
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130);
    stopping = true;
    progress.line(pc.dim('stopping…'));
    await session.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const started = await session.start();
  if (!started.ok) {
    await session.stop();
    process.exit(1);
  }
}

/** Progress lines for a terminal; on a TTY a ticking elapsed time while a long step runs. */
class Progress {
  private step: { timer?: NodeJS.Timeout } | undefined;

  show(event: SessionEvent): void {
    switch (event.kind) {
      case 'target':
        this.line(`${pc.bold('Component Studio')} ${pc.dim('dev')} · ${event.description}`);
        return;
      case 'build-started':
        this.begin(
          event.builder === 'command'
            ? 'building with build.command'
            : `building with componentize-js ${pc.dim('(a first build takes 10-30 s; unchanged sources come from the cache)')}`,
        );
        return;
      case 'build-finished':
        this.done(event.cached ? 'build: unchanged, taken from the cache' : `built in ${seconds(event.ms)}`);
        return;
      case 'phase':
        if (event.phase === 'transpiling') this.begin(`preparing the component ${pc.dim('(jco transpile, about 1 s the first time; cached after)')}`);
        else if (event.phase === 'starting') this.begin('starting workers');
        return;
      case 'serving': {
        const info = event.workload.info;
        this.done(`started in ${seconds(info.startMs)}${info.transpileCached ? ' (transpiled output from the cache)' : ''}`);
        this.line(`${pc.dim('component')} ${info.name}: ${summarizeWorld(info.world)}`);
        this.line(`${pc.green('serving')}   ${pc.bold(event.url)}   ${pc.dim('Ctrl+C to stop')}`);
        return;
      }
      case 'failed':
        this.done();
        this.line(`${pc.red('error')} ${describe(event.error)}`);
        return;
    }
  }

  line(text: string): void {
    this.clearTicker();
    process.stdout.write(`${text}\n`);
  }

  private begin(text: string): void {
    this.done();
    const started = performance.now();
    if (!process.stdout.isTTY) {
      process.stdout.write(`${text}…\n`);
      this.step = {};
      return;
    }
    const render = () => process.stdout.write(`\r${pc.cyan('•')} ${text}… ${pc.dim(seconds(performance.now() - started))}`);
    render();
    this.step = { timer: setInterval(render, 1000) };
  }

  private done(text?: string): void {
    this.clearTicker();
    if (text) process.stdout.write(`${pc.green('✓')} ${text}\n`);
  }

  private clearTicker(): void {
    if (!this.step) return;
    clearInterval(this.step.timer);
    if (process.stdout.isTTY) process.stdout.write('\r\x1b[2K');
    this.step = undefined;
  }
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

await main(process.argv.slice(2));
