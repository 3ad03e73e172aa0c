// Prints log records to a terminal: one line per record, coloured by level, with the source.
// Text from build tools keeps its own ANSI colours.
import pc from 'picocolors';
import type { LogLevel, LogRecord } from './log-bus.ts';

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
  const prefix = `${pc.dim(time)} ${level} ${pc.cyan(record.source)} `;
  // Continuation lines are indented so a multi-line message reads as one record.
  return prefix + record.text.replace(/\n/g, '\n    ');
}
