// Text from outside the studio (log lines, key and object names) shown as what it is. Some
// characters change how text reads without showing themselves: a right-to-left override makes
// "evil\u202Eexe.txt" read "eviltxt.exe", a zero-width space splits a word unseen. They are
// shown by their code point instead. A name's leading and trailing whitespace shows as marks,
// so "  spaced  " does not pass for "spaced". The escaping lives here alone, so the Logs view,
// its search highlighting and the browsers' lists cannot drift apart.

/**
 * Bidirectional embeddings, overrides, isolates and marks (ALM, LRM, RLM), and the invisible
 * zero-width space, word joiner and byte order mark. The zero-width (non-)joiners are left
 * alone: emoji sequences and several scripts need them, and they reorder nothing.
 */
const HIDDEN_CLASS = '[\\u061c\\u200b\\u200e\\u200f\\u202a-\\u202e\\u2060\\u2066-\\u2069\\ufeff]';
const HIDDEN = new RegExp(HIDDEN_CLASS, 'g');
/** Splits text around each hidden character, keeping it: the odd pieces are the hidden ones. */
const AROUND_HIDDEN = new RegExp(`(${HIDDEN_CLASS})`);

function codePoint(c: string): string {
  return `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`;
}

/** The text with every hidden character shown as `[U+XXXX]`. */
export function revealHidden(text: string): string {
  return text.replace(HIDDEN, codePoint);
}

/** A piece of a name as shown: its text, or a mark standing for a character that would not show. */
export type NamePart = { text: string; mark?: string };

const EDGE_MARKS: Record<string, string> = { ' ': '␣', '\t': '⇥' };

function edgeMark(c: string): NamePart {
  return { text: EDGE_MARKS[c] ?? codePoint(c), mark: c === ' ' ? 'a space' : c === '\t' ? 'a tab' : `the character ${codePoint(c)}` };
}

/**
 * A name in parts for display: hidden characters revealed, and whitespace at either end as
 * marks (␣ for a space, ⇥ for a tab, [U+XXXX] otherwise) with what each stands for.
 */
export function nameParts(name: string): NamePart[] {
  const [, lead = '', middle = '', trail = ''] = /^(\s*)(.*?)(\s*)$/s.exec(name) ?? [];
  const parts: NamePart[] = [...lead].map(edgeMark);
  middle.split(AROUND_HIDDEN).forEach((piece, i) => {
    if (i % 2 === 1) parts.push({ text: codePoint(piece), mark: `the invisible character ${codePoint(piece)}` });
    else if (piece) parts.push({ text: piece });
  });
  parts.push(...[...trail].map(edgeMark));
  return parts;
}

/** A name as one line of plain text (a title, a dialog's heading): hidden characters and edge whitespace shown. */
export function visibleName(name: string): string {
  return nameParts(name)
    .map((part) => part.text)
    .join('');
}

/** A key-value bucket as one line of text: wash keeps the bucket named "" in the key-value folder itself. */
export function bucketLabel(bucket: string): string {
  return bucket === '' ? '"" (root)' : visibleName(bucket);
}
