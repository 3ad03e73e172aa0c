// Terminal text (build output, log lines) for the page. Colours (SGR) become HTML through anser,
// which emits classes, not inline styles, so they follow the theme and the strict CSP holds.
// OSC 8 hyperlinks become links when they point at http or https; every other escape
// sequence a tool may print (window titles and other OSC strings, private modes such as
// ESC[?25l, cursor moves, charset selects such as ESC(B, DCS strings) is dropped here,
// since anser knows only CSI sequences and would leave the rest in the text.
import Anser from 'anser';
import { revealHidden } from './visible-text.ts';

export type AnsiToken =
  | { kind: 'text'; text: string }
  /** A colour or style (Select Graphic Rendition): kept for anser. */
  | { kind: 'sgr'; code: string }
  /** An OSC 8 hyperlink starts (`href`) or ends (no `href`). */
  | { kind: 'link'; href?: string };

// ECMA-48 escape sequences, longest forms first: OSC and the other string sequences (ended by
// BEL or ESC \, or by the end of the text when cut), CSI, nF (charset selects: ESC ( B), and
// the two-character ones (ESC 7, ESC =). A lone ESC and a BEL are dropped too.
const SEQUENCE =
  /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\|$)|\x1b[PX^_][^\x1b]*(?:\x1b\\|$)|\x1b\[([0-?]*)[ -/]*([@-~])|\x1b[ -/]+[0-~]|\x1b[0-~]|\x1b|\x07/g;
const OSC8 = /^\x1b\]8;[^;\x07\x1b]*;([^\x07\x1b]*)/;

export function ansiTokens(text: string): AnsiToken[] {
  const tokens: AnsiToken[] = [];
  let at = 0;
  for (const match of text.matchAll(SEQUENCE)) {
    if (match.index > at) tokens.push({ kind: 'text', text: text.slice(at, match.index) });
    at = match.index + match[0].length;
    const [sequence, params, final] = match;
    // Only plain SGR: a private marker (ESC[>4;2m, xterm's key modes) makes it something else.
    if (final === 'm' && /^[\d;:]*$/.test(params ?? '')) tokens.push({ kind: 'sgr', code: sequence });
    const link = OSC8.exec(sequence);
    if (link) tokens.push(link[1] ? { kind: 'link', href: link[1] } : { kind: 'link' });
  }
  if (at < text.length) tokens.push({ kind: 'text', text: text.slice(at) });
  return tokens;
}

/** The text without any escape sequence; a link keeps its text. */
export function stripAnsi(text: string): string {
  return ansiTokens(text)
    .map((token) => (token.kind === 'text' ? token.text : ''))
    .join('');
}

/** The link target a page may open: http and https only (never file:, javascript: or the app's own scheme). */
export function safeLink(href: string): string | undefined {
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The text as the page shows it: no escape sequences, hidden characters as `[U+XXXX]`. What a
 * search looks for, so a match may run across colours, as the reader sees the line.
 */
export function visibleAnsiText(text: string): string {
  return revealHidden(stripAnsi(text));
}

/** Where `term` occurs in `text`, case-insensitively, as [start, end) pairs that do not overlap. */
function occurrences(text: string, term: string): [number, number][] {
  const ranges: [number, number][] = [];
  if (!term) return ranges;
  const lower = text.toLowerCase();
  const needle = term.toLowerCase();
  for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, i + needle.length)) ranges.push([i, i + needle.length]);
  return ranges;
}

/**
 * HTML for terminal text: escaped, coloured with anser's classes, with links, and each
 * occurrence of `highlight` (in the text as shown, see visibleAnsiText) in a <mark>. A link
 * opens in a new window (target=_blank), which Electron hands to the system browser and a
 * browser opens in a tab: the studio's own page never navigates away.
 */
export function ansiToHtml(text: string, highlight = ''): string {
  // A text-direction override would show "evil" as "live": it is shown as what it is.
  const tokens = ansiTokens(text).map((token) => (token.kind === 'text' ? { ...token, text: revealHidden(token.text) } : token));
  const marks = occurrences(
    tokens.map((token) => (token.kind === 'text' ? token.text : '')).join(''),
    highlight,
  );
  let html = '';
  let linkHtml = '';
  let href: string | undefined;
  // anser starts each call with no colour: the SGR codes so far (since the last reset) go in
  // front of every piece, so a colour carries across a link's edges and a mark's.
  let style = '';
  // Where the next text token starts in the text as shown.
  let at = 0;
  const endLink = () => {
    // The target is in the title: a link's text need not say where it goes.
    html += href ? `<a class="ansi-link" href="${Anser.escapeForHtml(href)}" title="${Anser.escapeForHtml(href)}" target="_blank" rel="noopener noreferrer">${linkHtml}</a>` : linkHtml;
    linkHtml = '';
  };
  const emit = (piece: string, marked: boolean) => {
    const coloured = Anser.ansiToHtml(Anser.escapeForHtml(style + piece), { use_classes: true });
    linkHtml += marked ? `<mark>${coloured}</mark>` : coloured;
  };
  for (const token of tokens) {
    if (token.kind === 'sgr') style = /^\x1b\[0?m$/.test(token.code) ? '' : style + token.code;
    else if (token.kind === 'link') {
      endLink();
      href = token.href === undefined ? undefined : safeLink(token.href);
    } else {
      // Cut the text where marks start and end; a mark across colours or a link's edge is
      // several <mark>s side by side, so the HTML stays well nested.
      const end = at + token.text.length;
      let from = at;
      for (const [markStart, markEnd] of marks) {
        if (markEnd <= from || markStart >= end) continue;
        if (markStart > from) emit(token.text.slice(from - at, markStart - at), false);
        const upTo = Math.min(markEnd, end);
        emit(token.text.slice(Math.max(markStart, from) - at, upTo - at), true);
        from = upTo;
      }
      if (from < end) emit(token.text.slice(from - at), false);
      at = end;
    }
  }
  endLink();
  return html;
}
