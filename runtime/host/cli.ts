// wasi:cli for components: environment, exit, and standard streams. stdout and stderr become
// log records (one per line) so a component's prints land in the studio's log view; stdin is
// empty because a served component has no terminal. Both streams log at info, each record
// saying its stream: stderr is where eprintln!, Go's log and console.error print debug lines,
// so logging it as an error would cry wolf. Levels are wasi:logging's job (logging.ts). The
// one exception is the first line of a crash report a language runtime prints on stderr (a
// Rust panic, a Go panic, an uncaught JavaScript exception, a Python traceback): an error.
// A runtime's notice about its own abort goes to debug, out of the way of that report.
import { EMPTY_SOURCE, InputStream, OutputStream, type ByteSink } from './io.ts';
import type { HostState } from './host-state.ts';
import type { LogStream } from '../logs/log-bus.ts';
import { LineSplitter } from '../logs/line-splitter.ts';

/** Thrown when a component calls wasi:cli/exit; the worker reports it and starts a new instance. */
export class ComponentExit extends Error {
  constructor(readonly success: boolean) {
    super(`the component called exit (${success ? 'success' : 'failure'})`);
    this.name = 'ComponentExit';
  }
}

/** How each language runtime opens the report of a crash on stderr: Rust, Go, SpiderMonkey (componentize-js), Python. */
const CRASH_REPORT = /^(?:thread '[^']*' panicked at |panic: |uncaught exception: |Exception while |Traceback \(most recent call last\):)/;

/**
 * What a language runtime says about itself on its way down, not the component: SpiderMonkey
 * (componentize-js) prints this after every uncaught exception, just before it aborts.
 */
const RUNTIME_NOTICE = /^Redirecting call to abort\(\) to mozalloc_abort$/;

/**
 * The level of a line a component printed: info; error for the first line of a crash report
 * on stderr; debug for a runtime's own notice, which would read as part of the report.
 */
export function printedLineLevel(text: string, stream: LogStream): 'debug' | 'info' | 'error' {
  if (stream !== 'stderr') return 'info';
  if (CRASH_REPORT.test(text)) return 'error';
  return RUNTIME_NOTICE.test(text) ? 'debug' : 'info';
}

/** Turns written bytes into log lines; a partial line waits for its newline or the request's end. */
export class LineSink implements ByteSink {
  private readonly decoder = new TextDecoder();
  private readonly lines: LineSplitter;

  constructor(state: HostState, stream: LogStream) {
    // A blank line (a runtime's spacing in a stack trace) would be an empty record in the log.
    this.lines = new LineSplitter((text) => text.trim() !== '' && state.log(printedLineLevel(text, stream), text, stream));
  }

  write(bytes: Uint8Array): void {
    this.lines.write(this.decoder.decode(bytes, { stream: true }));
  }

  // A flush does not end a line: engines often write a line and its newline separately.
  // What is left unfinished is logged when the request ends.
  end(): void {
    this.lines.end(this.decoder.decode());
  }
}

class TerminalInput {}
class TerminalOutput {}

export function cliImports(state: HostState) {
  const out = new LineSink(state, 'stdout');
  const err = new LineSink(state, 'stderr');
  state.atRequestEnd(() => {
    out.end();
    err.end();
  });
  const stdout = new OutputStream(out);
  const stderr = new OutputStream(err);
  const stdin = new InputStream(EMPTY_SOURCE);
  return {
    'wasi:cli/environment': {
      getEnvironment: () => state.environment.map(([k, v]) => [k, v]),
      getArguments: () => [state.componentName],
      initialCwd: () => undefined,
    },
    'wasi:cli/exit': {
      exit(status: { tag: 'ok' | 'err' }): never {
        throw new ComponentExit(status.tag === 'ok');
      },
      exitWithCode(code: number): never {
        throw new ComponentExit(code === 0);
      },
    },
    'wasi:cli/stdin': { getStdin: () => stdin },
    'wasi:cli/stdout': { getStdout: () => stdout },
    'wasi:cli/stderr': { getStderr: () => stderr },
    'wasi:cli/terminal-input': { TerminalInput },
    'wasi:cli/terminal-output': { TerminalOutput },
    'wasi:cli/terminal-stdin': { getTerminalStdin: () => undefined },
    'wasi:cli/terminal-stdout': { getTerminalStdout: () => undefined },
    'wasi:cli/terminal-stderr': { getTerminalStderr: () => undefined },
  };
}
