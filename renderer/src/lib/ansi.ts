// Terminal text (build output, log lines) for the page. Colours (SGR) become HTML through anser,
// which emits classes, not inline styles, so they follow the theme and the strict CSP holds.
// OSC 8 hyperlinks become links when they point at http or https; every other escape
// sequence a tool may print (window titles and other OSC strings, private modes such as
// ESC[?25l, cursor moves, charset selects such as ESC(B, DCS strings) is dropped here,
// since anser knows only CSI sequences and would leave the rest in the text.
import Anser from 'anser';

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

/** Bidirectional embeddings, overrides and isolates. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

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
 * HTML for terminal text: escaped, coloured with anser's classes, with links. A link opens in
 * a new window (target=_blank), which Electron hands to the system browser and a browser
 * opens in a tab: the studio's own page never navigates away.
 */
export function ansiToHtml(text: string): string {
  let html = '';
  let segment = '';
  let href: string | undefined;
  // anser starts each call with no colour: the SGR codes so far (since the last reset) go in
  // front of every segment, so a colour carries across a link's edges.
  let style = '';
  const flush = () => {
    if (!segment) return;
    const coloured = Anser.ansiToHtml(Anser.escapeForHtml(style + segment), { use_classes: true });
    // The target is in the title: a link's text need not say where it goes.
    html += href ? `<a class="ansi-link" href="${Anser.escapeForHtml(href)}" title="${Anser.escapeForHtml(href)}" target="_blank" rel="noopener noreferrer">${coloured}</a>` : coloured;
    for (const [code] of segment.matchAll(/\x1b\[[\d;:]*m/g)) style = /^\x1b\[0?m$/.test(code) ? '' : style + code;
    segment = '';
  };
  for (const token of ansiTokens(text)) {
    // A text-direction override would show "evil" as "live": it is shown as what it is.
    if (token.kind === 'text') segment += token.text.replace(BIDI_CONTROLS, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase()}]`);
    else if (token.kind === 'sgr') segment += token.code;
    else {
      flush();
      href = token.href === undefined ? undefined : safeLink(token.href);
    }
  }
  flush();
  return html;
}
