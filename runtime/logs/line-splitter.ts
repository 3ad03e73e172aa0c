// Text that arrives in pieces (a build's output, a component's stdout and stderr) cut into
// log lines. Each piece is looked at once, so a line of many megabytes costs what its bytes
// cost, not their square; a line longer than MAX_LINE_CHARS keeps its start and says how
// much was left out, so one line never fills the studio's memory or the UI.

/** Longest line kept whole; the log bus cuts any record's text to this too. */
export const MAX_LINE_CHARS = 64 * 1024;

/** Room for the note a cut line ends with, so a line cut once is not cut again. */
const NOTE_ROOM = 100;

/** `text` cut to MAX_LINE_CHARS, saying how much more there was (`more`: characters dropped before). */
export function cutLine(text: string, more = 0): string {
  if (more === 0 && text.length <= MAX_LINE_CHARS + NOTE_ROOM) return text;
  const dropped = more + Math.max(0, text.length - MAX_LINE_CHARS);
  return `${text.slice(0, MAX_LINE_CHARS)} … (${dropped} more characters of this line not shown)`;
}

export class LineSplitter {
  private pending = '';
  /** Characters dropped from the line being cut, until its newline. */
  private dropped = 0;

  constructor(private readonly line: (text: string) => void) {}

  /** Decoded text, in order; lines end at \n (a \r before it is dropped). */
  write(text: string): void {
    let start = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      this.take(text.slice(start, newline));
      this.flush();
      start = newline + 1;
    }
    this.take(text.slice(start));
  }

  /** Logs what is left of a line without its newline. */
  end(rest = ''): void {
    this.take(rest);
    if (this.pending || this.dropped) this.flush();
  }

  private take(text: string): void {
    if (this.dropped > 0) {
      this.dropped += text.length;
      return;
    }
    this.pending += text;
    if (this.pending.length > MAX_LINE_CHARS) {
      this.dropped = this.pending.length - MAX_LINE_CHARS;
      this.pending = this.pending.slice(0, MAX_LINE_CHARS);
    }
  }

  private flush(): void {
    const text = this.dropped > 0 ? this.pending : this.pending.replace(/\r$/, '');
    this.line(cutLine(text, this.dropped));
    this.pending = '';
    this.dropped = 0;
  }
}
