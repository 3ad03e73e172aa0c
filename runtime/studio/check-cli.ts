// `component-studio check [dir | file.wasm]`: builds the project once, serves it on a free
// port, runs the checks in .wash/checks/*.json against it and exits: 0 when every check
// passes, 1 when one fails, 2 when the checks could not run (the build failed, a check file
// does not parse, there are none). The same checks the studio runs after every save, for a
// user's CI. Files with `data: copy` run against a throwaway copy of the data folders.
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import { studioCacheDir } from '../cache-dir.ts';
import { describe, ok } from '../errors.ts';
import { LogBus } from '../logs/log-bus.ts';
import { TerminalPrinter } from '../logs/terminal-printer.ts';
import { DevSession } from '../session/dev-session.ts';
import { SessionLog } from '../session/session-log.ts';
import { endsSession } from '../session/session-events.ts';
import { resolveTarget } from '../session/session-target.ts';
import { checkComponentHead } from '../components/component-file.ts';
import { checksDir, loadCheckFiles } from '../traffic/check-file.ts';
import type { CheckRun } from '../traffic/traffic-results.ts';
import { defaultRuntimeSettings, MAX_REQUEST_TIMEOUT_SECONDS } from '../workloads/workload.ts';
import { sandboxWithoutUi } from './data-sandbox.ts';
import { argumentError } from '../cli-argument-error.ts';

export const CHECK_USAGE = `Usage: component-studio check [dir | file.wasm] [--timeout SECONDS] [--quiet]

Builds the project (dir, default: .), serves it on a free port on 127.0.0.1, runs the checks
in .wash/checks/*.json against it, and exits 0 when they all pass, 1 when one fails, 2 when
they cannot run (the build failed, a check file is invalid, or there are no checks).

Options:
  --timeout SECONDS   per-request timeout (default 30)
  --quiet             print only the checks, not the build's progress
  -h, --help          show this help
`;

type Out = (text: string) => void;

/** Runs the checks of a project once; returns the exit code. */
export async function runCheckCli(argv: string[], out: Out, err: Out): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { timeout: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    err(`${pc.red('error')} ${argumentError(error)}\n\n${CHECK_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(CHECK_USAGE);
    return 0;
  }
  if (positionals.length > 1) {
    err(`${pc.red('error')} check takes one project, got ${positionals.length}: ${positionals.join(' ')}\n`);
    return 2;
  }
  const timeout = values.timeout === undefined ? 30 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_REQUEST_TIMEOUT_SECONDS) {
    err(`${pc.red('error')} --timeout must be a number of seconds above 0 and at most ${MAX_REQUEST_TIMEOUT_SECONDS} (about 24 days), not "${values.timeout}".\n`);
    return 2;
  }
  // Nothing to check (or a check file that does not parse): said before a build and a start that would be for nothing.
  const target = await resolveTarget(positionals[0] ?? '.');
  // A file that is no component says so first: writing checks would not make it serve.
  // One it cannot read is left to the start, which says why.
  if (target.ok && target.value.kind === 'file') {
    const checked = await checkComponentHead(target.value.wasmPath).catch(() => ok(undefined));
    if (!checked.ok) {
      err(`${pc.red('error')} ${describe(checked.error)}\n`);
      return 2;
    }
  }
  const checksFolder = target.ok ? checksDir(dirname(target.value.dataDir)) : '.wash/checks';
  if (target.ok) {
    const files = await loadCheckFiles(checksFolder);
    if (!files.ok) {
      err(`${pc.red('error')} ${describe(files.error)}\n`);
      return 2;
    }
    if (files.value.every((file) => file.content.checks.length === 0)) {
      err(`${pc.red('error')} ${noChecks(checksFolder)}\n`);
      return 2;
    }
  }
  const settings = defaultRuntimeSettings(studioCacheDir());
  settings.requestTimeoutMs = timeout * 1000;
  const logs = new LogBus();
  // It runs once and exits: no keys to press, nothing watched.
  const sessionLog = new SessionLog(logs, { interactive: false });
  if (!values.quiet) sessionLog.printTo(new TerminalPrinter({ write: out }));
  const session = sessionLog.follow(
    new DevSession({ target: positionals[0] ?? '.', port: 0, host: '127.0.0.1', watch: false, bodyLimitBytes: 100 * 2 ** 20, settings, logs, traffic: { checksOnReload: false } }),
  );
  // A build or start that failed is printed by the session's log already, unless --quiet.
  let printed = false;
  const off = session.subscribe((event) => (printed ||= !values.quiet && endsSession(event)));
  try {
    const started = await session.start();
    off();
    if (!started.ok) {
      if (!printed) err(`${pc.red('error')} ${describe(started.error)}\n`);
      if (started.error.code === 'data-in-use' || started.error.code === 'project-in-use') err('  A studio is running on this project: it runs the checks after every save (see its reload indicator). Stop it to run them here.\n');
      return 2;
    }
    if (!started.value.url) {
      const what = target.ok && target.value.kind === 'file' ? 'component' : 'project';
      err(`${pc.red('error')} The ${what} serves no HTTP, so there is nothing to check.\n  hint: Checks send HTTP requests: they need a component that exports wasi:http/incoming-handler.\n`);
      return 2;
    }
    const sandbox = sandboxWithoutUi(session);
    const run = await session.traffic.runChecks();
    sandbox.close();
    return report(run, checksFolder, out, err);
  } finally {
    await session.stop();
  }
}

/** Named whole: run from another folder, `check` takes the project it finds there, which may not be the one meant. */
const noChecks = (dir: string) => `There are no checks in ${dir}. Pin requests as checks in the studio's Traffic view, or write a check file (docs/traffic.md).`;

function report(run: CheckRun, checksFolder: string, out: Out, err: Out): number {
  if (run.error) {
    err(`${pc.red('error')} ${run.error.message}${run.error.hint ? `\n  hint: ${run.error.hint}` : ''}\n`);
    return 2;
  }
  if (run.results.length === 0) {
    err(`${pc.red('error')} ${noChecks(checksFolder)}\n`);
    return 2;
  }
  let file = '';
  for (const result of run.results) {
    if (result.file !== file) {
      file = result.file;
      out(`${pc.bold(file)}\n`);
    }
    out(result.passed ? `  ${pc.green('✓')} ${result.name}\n` : `  ${pc.red('✗')} ${result.name}\n${result.problems.map((p) => `      ${p}\n`).join('')}`);
  }
  const total = run.results.length;
  out(run.failed === 0 ? `${pc.green(`${total}/${total} checks pass`)}\n` : `${pc.red(`${run.failed} of ${total} checks failed`)}\n`);
  return run.failed === 0 ? 0 : 1;
}
