// Prints log records to a terminal: one line per record, coloured by level, with the source.
// Text from build tools keeps its own ANSI colours. Records that report a session's progress
// (see session/session-log.ts) print as the progress lines they stand for instead, and a step
// that takes a while ticks its elapsed time on a TTY. It prints; it decides nothing about what
// a record says.
import pc from 'picocolors';
import type { LogLevel, LogRecord } from './log-bus.ts';
import { formatDuration } from './duration.ts';

const LEVEL_STYLE: Record<LogLevel, (s: string) => string> = {
  trace: pc.gray,
  debug: pc.gray,
  info: pc.blue,
  warn: pc.yellow,
  error: pc.red,
  critical: (s) => pc.bold(pc.red(s)),
};

export function formatRecord(record: LogRecord): string {
  const time = new Date(record.time).toISOString().slice(11, 23);
  const level = LEVEL_STYLE[record.level](record.level.toUpperCase().padEnd(5));
  // A check's or a replay's lines are told from a client's: a pinned check of a failure logs an error on every run.
  const by = record.by ? `${pc.dim(`[${record.by}]`)} ` : '';
  const prefix = `${pc.dim(time)} ${level} ${pc.cyan(terminalSafe(record.source))} ${by}`;
  // Continuation lines are indented so a multi-line message reads as one record.
  return prefix + terminalSafe(record.text).replace(/\n/g, '\n    ');
}

/**
 * Escape sequences (CSI, OSC to BEL or ST, DCS/SOS/PM/APC strings, the two-byte ones, 8-bit
 * CSI), or else one control character (tab and newline excepted).
 */
const UNSAFE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -~]|\x9b[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const COLOURS = /^\x1b\[[0-9;]*m$/;

/**
 * Text a component (or a build) printed, as the studio's terminal may show it: colours stay,
 * every other escape sequence goes (clearing the screen, moving the cursor, setting the title,
 * links), and other control characters show as \xNN, so output cannot hide or rewrite the
 * studio's own lines.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (found) => {
    if (found.length === 1) return `\\x${found.charCodeAt(0).toString(16).padStart(2, '0')}`;
    return COLOURS.test(found) ? found : '';
  });
}

/** A progress line as a terminal shows it. */
export interface TerminalLine {
  /** With colours; may hold several lines. */
  text: string;
  /**
   * A step that lasts until the next progress line: a TTY shows it with a ticking elapsed
   * time, other outputs print it once with an ellipsis.
   */
  step?: boolean;
}

/** The plain text of a progress line, as a log keeps it and a non-TTY output prints it. */
export function plainText(line: TerminalLine): string {
  // Only picocolors' SGR codes are in progress lines, so this is all there is to strip.
  const text = line.text.replace(/\x1b\[[0-9;]*m/g, '');
  return line.step ? `${text}…` : text;
}

export interface TerminalOutput {
  write(text: string): void;
  readonly isTTY?: boolean;
}

export class TerminalPrinter {
  private step: { render: () => void; timer: NodeJS.Timeout | undefined } | undefined;

  constructor(private readonly out: TerminalOutput) {}

  /**
   * Prints a record: as `progress` when it reports the session's progress, else as a log
   * line. A log line that arrives during a step goes above it, and the step goes on.
   */
  record(record: LogRecord, progress?: TerminalLine): void {
    if (progress) {
      this.endStep();
      if (progress.step) this.beginStep(progress.text);
      else this.out.write(`${progress.text}\n`);
      return;
    }
    this.clearStepLine();
    this.out.write(`${formatRecord(record)}\n`);
    this.step?.render();
  }

  /** A line of the terminal's own (the UI's address, a fatal error); it ends a running step. */
  line(text: string): void {
    this.endStep();
    this.out.write(`${text}\n`);
  }

  /** Stops the ticking, leaving the terminal on a fresh line. */
  close(): void {
    this.endStep();
  }

  private beginStep(text: string): void {
    if (!this.out.isTTY) {
      this.out.write(`${text}…\n`);
      return;
    }
    const started = performance.now();
    const render = () => this.out.write(`\r${pc.cyan('•')} ${text}… ${pc.dim(formatDuration(performance.now() - started))}`);
    render();
    this.step = { render, timer: setInterval(render, 1000) };
    // A step never keeps the process alive by itself.
    this.step.timer?.unref();
  }

  private endStep(): void {
    this.clearStepLine();
    if (this.step) clearInterval(this.step.timer);
    this.step = undefined;
  }

  private clearStepLine(): void {
    if (this.step) this.out.write('\r\x1b[2K');
  }
}
