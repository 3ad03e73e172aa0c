// What a session tells the user besides its events: warnings and notes, in the log, where the
// terminal and the UI both show them. A note about the config is said once per session, not
// again on every rebuild.
import type { LogBus } from '../logs/log-bus.ts';

export class SessionNotes {
  private readonly said = new Set<string>();

  constructor(private readonly logs: LogBus) {}

  warn(text: string): void {
    this.logs.append({ level: 'warn', source: 'studio', text });
  }

  /** Says `text` unless something was already said on `topic`. */
  once(topic: string, level: 'info' | 'warn', text: string): void {
    if (this.said.has(topic)) return;
    this.said.add(topic);
    this.logs.append({ level, source: 'studio', text });
  }
}
