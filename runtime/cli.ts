// The command line: `component-studio dev [dir | file.wasm]` (`push` and `deploy` are
// deploy/deploy-cli.ts's). Parses arguments, runs a dev
// session, prints the log (the session's progress included, see session/session-log.ts) and
// stops cleanly on Ctrl+C.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import { studioCacheDir, studioConfigDir } from './cache-dir.ts';
import { describe } from './errors.ts';
import { LogBus } from './logs/log-bus.ts';
import { TerminalPrinter } from './logs/terminal-printer.ts';
import { DevSession } from './session/dev-session.ts';
import { SessionLog } from './session/session-log.ts';
import { endsSession } from './session/session-events.ts';
import { defaultRuntimeSettings, MAX_REQUEST_TIMEOUT_SECONDS } from './workloads/workload.ts';
import { MAX_MEMORY_LIMIT_MB } from './components/memory-limit.ts';
import { startUi } from './studio/cli-ui.ts';
import { riskyTarget } from './project/risky-folders.ts';
import type { InstanceStrategy } from './workloads/worker-protocol.ts';
import { runSnapshotCli, serveSnapshotCommands } from './studio/snapshot-cli.ts';
import { runDeployCommand } from './deploy/deploy-cli.ts';
import { runCheckCli } from './studio/check-cli.ts';
import { runNewCli } from './studio/new-cli.ts';
import { LAUNCH_EXAMPLE, projectToOpen } from './studio/launch-state.ts';
import { sandboxWithoutUi } from './studio/data-sandbox.ts';
import { argumentError } from './cli-argument-error.ts';

const USAGE = `Usage: component-studio dev [dir | file.wasm] [options]
       component-studio snapshot <save|list|restore|delete|export|import> ... (see snapshot --help)

Builds a component project (or takes a .wasm component as it is), runs it and serves it
over HTTP.

Options:
  --port N            gateway port (default 8000; 0 picks a free one)
  --host ADDR         gateway address (default 127.0.0.1)
  --no-ui             run headless: no studio UI, only the gateway and this terminal
  --ui-port N         port of the studio UI on 127.0.0.1 (default 0: a free one)
  --open              open the studio UI in the default browser
  --no-watch          build and serve once; do not rebuild on changes
  --workers N         worker threads serving requests (default: one per core, at least 2)
  --instances MODE    fresh (default): every request starts from a just-started instance,
                      as wash does; reuse: one instance per worker keeps its state across
                      requests. Wins over instances in .wash/studio.yaml
  --timeout SECONDS   per-request timeout (default 30)
  --start-timeout SECONDS
                      how long an instance may take to start (its start function and
                      static initializers) before its thread is stopped as looping
                      (default: --timeout, so 30, but at least 20)
  --memory-limit MB   linear memory limit per instance (default 512, at most 4096)
  --body-limit MB     request body limit (default 100)
  --yes               open a system folder or your home folder as a project without asking
  --last-project      without a dir: the project the studio UI had open last, or at first
                      the studio's own copy of the QR example (what npm start opens)
  -h, --help          show this help
  -v, --version       print the version

Other commands (each has its own --help):
  new <folder> [--example NAME]          make a project from an example (default: hello)
  push <ref> [dir | file.wasm]           push to an OCI registry as a Wasm artifact
  deploy [dir | file.wasm] --image <ref> generate (and apply) a wasmCloud WorkloadDeployment
  check [dir | file.wasm]                run the checks in .wash/checks once; exit 1 if one fails
`;

function fatal(message: string): never {
  process.stderr.write(`${pc.red('error')} ${message}\n`);
  process.exit(2);
}

function positiveNumber(value: string | undefined, name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min) fatal(`${name} must be a number of at least ${min}, not "${value}".`);
  if (n > max) fatal(`${name} must be at most ${max}, not "${value}".`);
  return n;
}

/** A whole number in [min, max] (ports, thread counts): `--port 1.5` or `--port 70000` is an error naming the option. */
function wholeNumber(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) fatal(`${name} must be a whole number from ${min} to ${max}, not "${value}".`);
  return n;
}

/** The package's version, from its package.json. */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'snapshot') process.exit(await runSnapshotCli(argv.slice(1), (text) => process.stdout.write(text), (text) => process.stderr.write(text)));
  if (argv[0] === 'push' || argv[0] === 'deploy') process.exit(await runDeployCommand(argv));
  if (argv[0] === 'new') process.exit(await runNewCli(argv.slice(1), (text) => process.stdout.write(text), (text) => process.stderr.write(text)));
  if (argv[0] === 'check') process.exit(await runCheckCli(argv.slice(1), (text) => process.stdout.write(text), (text) => process.stderr.write(text)));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'no-ui': { type: 'boolean' },
        'ui-port': { type: 'string' },
        open: { type: 'boolean' },
        'no-watch': { type: 'boolean' },
        workers: { type: 'string' },
        instances: { type: 'string' },
        timeout: { type: 'string' },
        'start-timeout': { type: 'string' },
        'memory-limit': { type: 'string' },
        'body-limit': { type: 'string' },
        yes: { type: 'boolean' },
        'last-project': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    fatal(`${argumentError(err)}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`component-studio ${version()}\n`);
    return;
  }
  const [command, given, ...extra] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(USAGE);
    return;
  }
  if (command !== 'dev') fatal(`unknown command "${command}".\n\n${USAGE}`);
  if (extra.length > 0) fatal(`dev takes one target, got ${positionals.length - 1}: ${positionals.slice(1).join(' ')}`);
  if (values.instances !== undefined && values.instances !== 'reuse' && values.instances !== 'fresh') {
    fatal(`--instances must be "reuse" or "fresh", not "${values.instances}".`);
  }

  // Every option is checked before anything starts, whether or not it is used this time.
  const uiPort = wholeNumber(values['ui-port'], '--ui-port', 0, 0, 65535);
  const port = values.port !== undefined ? wholeNumber(values.port, '--port', 8000, 0, 65535) : undefined;
  const settings = defaultRuntimeSettings(studioCacheDir());
  settings.workers = wholeNumber(values.workers, '--workers', settings.workers, 1, 256);
  settings.maxWorkers = Math.max(settings.maxWorkers, settings.workers);
  settings.requestTimeoutMs = positiveNumber(values.timeout, '--timeout', 30, 0.001, MAX_REQUEST_TIMEOUT_SECONDS) * 1000;
  if (values['start-timeout'] !== undefined) settings.startTimeoutMs = positiveNumber(values['start-timeout'], '--start-timeout', 20, 0.001, MAX_REQUEST_TIMEOUT_SECONDS) * 1000;
  settings.memoryLimitBytes = positiveNumber(values['memory-limit'], '--memory-limit', 512, 1, MAX_MEMORY_LIMIT_MB) * 2 ** 20;
  const bodyLimitBytes = positiveNumber(values['body-limit'], '--body-limit', 100) * 2 ** 20;

  // `npm start` without a project (browser mode) opens what the desktop app would: see launch-state.ts.
  const target =
    given ??
    (values['last-project']
      ? await projectToOpen(undefined, { bundledExample: LAUNCH_EXAMPLE, dataDir: studioConfigDir() }, (text) => process.stderr.write(`${pc.yellow('warn')} ${text}\n`))
      : '.');
  const risky = riskyTarget(target);
  if (risky && !values.yes) fatal(`${risky}\n  hint: pass the project folder inside it, or add --yes to open it anyway.`);

  const logs = new LogBus();
  const terminal = new TerminalPrinter(process.stdout);
  const sessionLog = new SessionLog(logs);
  sessionLog.printTo(terminal);
  const sessionOptions = {
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(port !== undefined ? { port } : {}),
    watch: !values['no-watch'],
    // The session weighs it against .wash/studio.yaml, so it is not the settings' default.
    ...(values.instances !== undefined ? { instances: values.instances as InstanceStrategy } : {}),
    bodyLimitBytes,
    settings,
    logs,
  };
  const createSession = (t: string) => sessionLog.follow(new DevSession({ ...sessionOptions, target: t }));
  const session = createSession(target);
  // The studio UI (browser mode) drives the session from now on: project.open replaces it.
  const ui = values['no-ui']
    ? undefined
    : await startUi({ logs, session, target, createSession, port: uiPort, open: values.open === true, print: (text) => terminal.line(text) });
  // Checks of `"data": "copy"` run on a throwaway copy: without a UI, the session needs its own.
  const sandbox = ui ? undefined : sandboxWithoutUi(session);

  // `component-studio snapshot …` in another terminal asks this studio to do the work.
  const snapshotChannel = await serveSnapshotCommands(() => ui?.currentSession() ?? session, ui, (text) => logs.append({ level: 'warn', source: 'studio', text }));

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130);
    stopping = true;
    terminal.line(pc.dim('stopping…'));
    // Stopping waits for work in flight (a component still starting, a build that ignores
    // SIGTERM) only so long; what the stores journaled is replayed at the next start.
    setTimeout(() => {
      terminal.line(`${pc.yellow('warn')} not stopped after ${STOP_DEADLINE_MS / 1000} s (a component still starting, or a build that does not end); exiting now`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    await snapshotChannel.close();
    await (ui ? ui.close() : session.stop());
    sandbox?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // The terminal closed (or, on Windows, its console window): stop as cleanly, so the data
  // folders are checkpointed and let go. Nothing is left to print to.
  process.on('SIGHUP', () => {
    // A hung-up terminal fails writes too.
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
    void stop();
  });

  // A first build that ends the session has said why already (✗ …): the error is not printed twice.
  let told = false;
  const unsubscribe = session.subscribe((event) => (told ||= endsSession(event)));
  const started = await session.start();
  unsubscribe();
  if (!started.ok) {
    if (!told) terminal.line(`${pc.red('error')} ${describe(started.error)}`);
    await snapshotChannel.close();
    await (ui ? ui.close() : session.stop());
    sandbox?.close();
    process.exit(1);
  }
  listenForRebuildKey(() => ui?.currentSession() ?? session);
}

/** How long Ctrl+C waits for a clean stop before the process exits anyway. */
const STOP_DEADLINE_MS = 10_000;

/** `r` + Enter rebuilds by hand, for changes the watcher cannot see. Lines, however the input comes in chunks (a pipe may bring several at once). */
function listenForRebuildKey(current: () => DevSession): void {
  // A terminal that hangs up fails the read (EIO): the key is gone then, the studio is not.
  process.stdin.on('error', () => {});
  createInterface({ input: process.stdin, terminal: false }).on('line', (line) => {
    const key = line.trim().toLowerCase();
    if (key === 'r') current().rebuild();
    else if (key !== '') process.stderr.write(`${pc.dim(`"${line.trim().slice(0, 40)}" does nothing here: r + Enter rebuilds, Ctrl+C stops.`)}\n`);
  });
}

await main(process.argv.slice(2));
