// Splits a pasted command line into commands and words the way the shell it was written for
// would: bash (POSIX quoting, `$'…'` strings, backslash line continuations, comments, pipes
// and lists, redirections) or Windows cmd.exe (`^` escapes and continuations, as Chromium's
// "Copy as cURL (cmd)" writes them, then the C runtime's argument quoting). Nothing is run or
// expanded: a `$VAR` or `%VAR%` stays as written and is reported, so the user can fill it in.
//
// Hand-written on purpose: shell-quote, the npm package for this, has no `$'…'` strings
// (which browsers use for any body with a quote or a control character), skips an unclosed
// quote silently, and knows nothing of cmd.exe.

export class ShellSyntaxError extends Error {}

export interface ShellCommand {
  words: string[];
  /** What ended it: a line break, an operator (`|`, `&&`, `;`, `&`…), or nothing at the end. */
  endedBy?: string;
}

export interface ShellParse {
  commands: ShellCommand[];
  /** Variables referenced and left as written (`$TOKEN`, `${TOKEN}`, `%TOKEN%`). */
  variables: string[];
}

/** Whether a command was written for cmd.exe: `^` quoting or `^` line continuations. */
export function looksLikeCmd(input: string): boolean {
  return /\^"/.test(input) || /\^[ \t]*\r?\n/.test(input) || /\^\s*$/.test(input);
}

export function parseCommandLine(input: string): ShellParse {
  return looksLikeCmd(input) ? parseCmd(input) : parsePosix(input);
}

const VARIABLE = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/;
/** Operators that end a command: what follows is another command (or a pipe's reader). */
const SEPARATORS = ['&&', '||', ';;', '|&', '|', ';', '&'];
/** Redirections: the operator and its target word are dropped, the command goes on. */
const REDIRECTIONS = ['&>>', '&>', '>>', '>&', '<&', '>|', '<<<', '<<', '>', '<'];

/** bash: quotes, `$'…'`, backslashes, continuations, comments, lists, pipes, redirections. */
export function parsePosix(input: string): ShellParse {
  const commands: ShellCommand[] = [];
  const variables = new Set<string>();
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let skipNext = false; // the next word is a redirection's target
  const s = input;
  let i = 0;

  const endWord = () => {
    if (inWord) {
      if (skipNext) skipNext = false;
      else words.push(word);
    }
    word = '';
    inWord = false;
  };
  const endCommand = (endedBy?: string) => {
    endWord();
    if (words.length > 0) commands.push(endedBy ? { words, endedBy } : { words });
    words = [];
  };
  /** Keeps a `$NAME` or `${NAME}` at `at` as written; its length, or 0 when there is none. */
  const variableAt = (at: number): number => {
    const match = VARIABLE.exec(s.slice(at));
    if (!match) return 0;
    variables.add(match[0]);
    word += match[0];
    return match[0].length;
  };

  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\' && (s[i + 1] === '\n' || (s[i + 1] === '\r' && s[i + 2] === '\n'))) {
      i += s[i + 1] === '\r' ? 3 : 2; // a line continuation joins the lines
    } else if (c === '\\' && i + 1 < s.length) {
      word += s[i + 1];
      inWord = true;
      i += 2;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError('A single quote (\') is not closed.');
      word += s.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '$' && s[i + 1] === "'") {
      const { text, end } = ansiCString(s, i + 2);
      word += text;
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw new ShellSyntaxError('A double quote (") is not closed.');
        const d = s[i]!;
        if (d === '"') break;
        const variable = d === '$' ? variableAt(i) : 0;
        if (variable > 0) i += variable;
        else if (d === '\\' && s[i + 1] === '\n') i += 2;
        else if (d === '\\' && s[i + 1] === '\r' && s[i + 2] === '\n') i += 3;
        else if (d === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1]!)) {
          word += s[i + 1];
          i += 2;
        } else word += s[i++];
      }
      inWord = true;
      i++;
    } else if (c === '$' && VARIABLE.test(s.slice(i))) {
      i += variableAt(i);
      inWord = true;
    } else if (c === '\n') {
      endCommand('\n');
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
    } else if (c === '#' && !inWord) {
      // A comment runs to the end of the line.
      const end = s.indexOf('\n', i);
      i = end < 0 ? s.length : end;
    } else if ('|&;<>'.includes(c)) {
      // A run of digits right before a redirection is the descriptor it redirects (2>).
      if ((c === '<' || c === '>') && inWord && /^\d+$/.test(word)) {
        word = '';
        inWord = false;
      }
      const redirection = REDIRECTIONS.find((op) => s.startsWith(op, i));
      const separator = SEPARATORS.find((op) => s.startsWith(op, i));
      endWord();
      if (redirection && (!separator || redirection.length >= separator.length)) {
        i += redirection.length;
        // `2>&1`: the target is a descriptor, not a word that follows.
        const fd = /^\d+|^-/.exec(s.slice(i));
        if (redirection.endsWith('&') && fd) i += fd[0].length;
        else skipNext = true;
      } else {
        endCommand(separator);
        i += separator!.length;
      }
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  endCommand();
  return { commands, variables: [...variables] };
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/**
 * The text of a `$'…'` string whose body starts at `from`, as bash decodes it. Bytes written
 * as \xHH or octal are UTF-8 when they form it; otherwise each byte is its Latin-1 character,
 * which is what Firefox means by `\xe9` for é.
 */
function ansiCString(s: string, from: number): { text: string; end: number } {
  let text = '';
  let bytes: number[] = [];
  const flushBytes = () => {
    if (bytes.length === 0) return;
    const raw = new Uint8Array(bytes);
    try {
      text += new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      text += String.fromCharCode(...raw);
    }
    bytes = [];
  };
  let i = from;
  while (i < s.length && s[i] !== "'") {
    if (s[i] !== '\\' || i + 1 >= s.length) {
      flushBytes();
      text += s[i++];
      continue;
    }
    const n = s[i + 1]!;
    const hex = (max: number) => /^[0-9a-fA-F]+/.exec(s.slice(i + 2, i + 2 + max))?.[0];
    if (n === 'x' && hex(2)) {
      const digits = hex(2)!;
      bytes.push(parseInt(digits, 16));
      i += 2 + digits.length;
      continue;
    }
    const octal = /^[0-7]{1,3}/.exec(s.slice(i + 1, i + 4))?.[0];
    if (octal) {
      bytes.push(parseInt(octal, 8) & 0xff);
      i += 1 + octal.length;
      continue;
    }
    flushBytes();
    if ((n === 'u' && hex(4)) || (n === 'U' && hex(8))) {
      const digits = hex(n === 'u' ? 4 : 8)!;
      const code = parseInt(digits, 16);
      text += code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
      i += 2 + digits.length;
    } else if (n === 'c' && i + 2 < s.length) {
      text += String.fromCharCode(s.charCodeAt(i + 2) & 0x1f);
      i += 3;
    } else if (SIMPLE_ESCAPES[n] !== undefined) {
      text += SIMPLE_ESCAPES[n];
      i += 2;
    } else {
      text += `\\${n}`; // bash keeps an unknown escape as it is
      i += 2;
    }
  }
  flushBytes();
  if (i >= s.length) throw new ShellSyntaxError("A $'…' string is not closed.");
  return { text, end: i };
}

/**
 * cmd.exe, then the C runtime's argument rules, as a program started from cmd sees its
 * arguments. cmd removes `^` escapes outside its quotes (a `^` at the end of a line joins
 * the next one, whose first character it escapes) and ends a command at `&`, `|` or a line
 * break; the C runtime splits at blanks outside `"…"` and reads `\"` as a quote.
 */
export function parseCmd(input: string): ShellParse {
  const lines: { text: string; endedBy?: string }[] = [];
  let line = '';
  let quoted = false;
  let i = 0;
  const s = input;
  while (i < s.length) {
    const c = s[i]!;
    if (!quoted && c === '^') {
      const next = s[i + 1];
      const continuation = next === '\n' ? 2 : next === '\r' && s[i + 2] === '\n' ? 3 : 0;
      if (continuation === 0) {
        if (next !== undefined) line += next;
        i += 2;
      } else {
        // The first character of the joined line is taken as it is (Chromium writes a line
        // break in a value as ^, then two line breaks).
        i += continuation;
        if (i < s.length) line += s[i++];
      }
    } else if (c === '"') {
      quoted = !quoted;
      line += c;
      i++;
    } else if (!quoted && (c === '\n' || c === '&' || c === '|')) {
      // && and || are one separator.
      const separator = (c === '&' || c === '|') && s[i + 1] === c ? c + c : c;
      lines.push({ text: line, endedBy: separator });
      line = '';
      i += separator.length;
    } else if (!quoted && (c === '>' || c === '<')) {
      // A redirection (2>nul, > out.json) and its target are not arguments.
      line = line.replace(/(^|[ \t])\d$/, '$1');
      i += /^[<>]+&?[ \t]*(?:"[^"]*"|[^\s&|<>]*)/.exec(s.slice(i))![0].length;
      line += ' ';
    } else {
      line += c;
      i++;
    }
  }
  lines.push({ text: line });
  const commands: ShellCommand[] = [];
  for (const { text, endedBy } of lines) {
    const words = crtArguments(text);
    if (words.length > 0) commands.push(endedBy ? { words, endedBy } : { words });
  }
  const variables = new Set(commands.flatMap((command) => command.words.flatMap((word) => word.match(/%[A-Za-z_][A-Za-z0-9_]*%/g) ?? [])));
  return { commands, variables: [...variables] };
}

/** The Microsoft C runtime's argv rules (what CommandLineToArgvW does). */
function crtArguments(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\') {
      let n = 0;
      while (line[i + n] === '\\') n++;
      if (line[i + n] === '"') {
        word += '\\'.repeat(Math.floor(n / 2));
        if (n % 2 === 1) word += '"';
        else quoted = !quoted;
        i += n + 1;
      } else {
        word += '\\'.repeat(n);
        i += n;
      }
      inWord = true;
    } else if (c === '"') {
      quoted = !quoted;
      inWord = true;
      i++;
    } else if (!quoted && (c === ' ' || c === '\t' || c === '\r')) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (quoted) throw new ShellSyntaxError('A double quote (") is not closed.');
  if (inWord) words.push(word);
  return words;
}
