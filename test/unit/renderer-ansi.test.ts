// Terminal text in the page: colours kept as classes, OSC 8 hyperlinks as links that open
// outside the studio's page (http and https only), and every other escape sequence dropped
// rather than shown as stray characters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ansiToHtml, ansiTokens, safeLink, stripAnsi, visibleAnsiText } from '../../renderer/src/lib/ansi.ts';

const ESC = '\x1b';
const ST = `${ESC}\\`;
const link = (href: string, text: string, end = ST) => `${ESC}]8;;${href}${end}${text}${ESC}]8;;${end}`;

describe('stripAnsi', () => {
  it('drops colours', () => {
    assert.equal(stripAnsi(`${ESC}[1;31merror${ESC}[0m: x`), 'error: x');
  });

  it('drops private modes, cursor moves and erases', () => {
    assert.equal(stripAnsi(`${ESC}[?25lhidden${ESC}[?25h ${ESC}[2K${ESC}[1Gline ${ESC}[>4;2mkeys${ESC}[<u`), 'hidden line keys');
  });

  it('drops charset selects and two-character sequences', () => {
    assert.equal(stripAnsi(`${ESC}(Bplain${ESC})0 ${ESC}7saved${ESC}8 ${ESC}=keypad${ESC}>`), 'plain saved keypad');
  });

  it('drops window titles and other OSC strings, ended by BEL or ST', () => {
    assert.equal(stripAnsi(`${ESC}]0;cargo build\x07building ${ESC}]133;A${ST}prompt`), 'building prompt');
  });

  it('drops DCS strings, a lone ESC, a BEL, and an OSC cut before its end', () => {
    assert.equal(stripAnsi(`${ESC}Pq#0;2;0;0;0${ST}a\x07b${ESC}`), 'ab');
    assert.equal(stripAnsi(`text ${ESC}]8;;https://cut.example`), 'text ');
  });

  it('keeps the text of a hyperlink', () => {
    assert.equal(stripAnsi(`see ${link('https://wasmcloud.com', 'the docs')} now`), 'see the docs now');
  });
});

describe('ansiTokens', () => {
  it('reads OSC 8 hyperlinks ended by ST or BEL, with or without parameters', () => {
    const tokens = ansiTokens(`${ESC}]8;id=1;https://a.example/x${ST}A${ESC}]8;;${ST} ${link('https://b.example/', 'B', '\x07')}`);
    assert.deepEqual(tokens, [
      { kind: 'link', href: 'https://a.example/x' },
      { kind: 'text', text: 'A' },
      { kind: 'link' },
      { kind: 'text', text: ' ' },
      { kind: 'link', href: 'https://b.example/' },
      { kind: 'text', text: 'B' },
      { kind: 'link' },
    ]);
  });

  it('keeps SGR codes and nothing else that is an escape', () => {
    assert.deepEqual(ansiTokens(`${ESC}[?25l${ESC}[31mred${ESC}(B`), [
      { kind: 'sgr', code: `${ESC}[31m` },
      { kind: 'text', text: 'red' },
    ]);
  });
});

describe('safeLink', () => {
  it('allows http and https only', () => {
    assert.equal(safeLink('https://wasmcloud.com/docs'), 'https://wasmcloud.com/docs');
    assert.equal(safeLink('http://127.0.0.1:8000/'), 'http://127.0.0.1:8000/');
    for (const href of ['file:///etc/passwd', 'javascript:alert(1)', 'app://studio/', 'vscode://file/x', 'not a url']) assert.equal(safeLink(href), undefined, href);
  });
});

describe('ansiToHtml', () => {
  it('colours with classes and escapes the text', () => {
    assert.equal(ansiToHtml(`${ESC}[31m<b>&${ESC}[0m`), '<span class="ansi-red-fg">&lt;b&gt;&amp;</span>');
  });

  it('makes an http(s) hyperlink a link that opens in a new window, without the opener, its target in the title', () => {
    assert.equal(
      ansiToHtml(`see ${link('https://wasmcloud.com/?a=1&b="2"', 'docs')}`),
      'see <a class="ansi-link" href="https://wasmcloud.com/?a=1&amp;b=%222%22" title="https://wasmcloud.com/?a=1&amp;b=%222%22" target="_blank" rel="noopener noreferrer">docs</a>',
    );
  });

  it('shows the text of a hyperlink to anything else, without a link', () => {
    assert.equal(ansiToHtml(`open ${link('file:///home/me/src/main.rs', 'src/main.rs')}`), 'open src/main.rs');
    assert.doesNotMatch(ansiToHtml(link('javascript:alert(1)', 'x')), /href/);
  });

  it('carries a colour across the edges of a link', () => {
    assert.equal(
      ansiToHtml(`${ESC}[32mok ${link('https://a.example/', 'here')} done${ESC}[0m plain`),
      '<span class="ansi-green-fg">ok </span><a class="ansi-link" href="https://a.example/" title="https://a.example/" target="_blank" rel="noopener noreferrer"><span class="ansi-green-fg">here</span></a><span class="ansi-green-fg"> done</span> plain',
    );
  });

  it('leaves no escape characters in what it shows', () => {
    const html = ansiToHtml(`${ESC}[?25l${ESC}]0;title\x07${ESC}(B${link('https://a.example/', 'x')}${ESC}[2K${ESC}[1mbold${ESC}[22m`);
    assert.doesNotMatch(html, /\x1b|\x07/);
    assert.match(html, /<span class="ansi-bold">bold<\/span>/);
  });

  it('shows a text-direction override as what it is, so "evil" cannot read as "live"', () => {
    assert.equal(ansiToHtml('file\u202Etxt.exe'), 'file[U+202E]txt.exe');
  });
});

// A search looks for what the reader sees: the line without its colour codes, with hidden
// characters shown by their code point, and the marks keep the colours around them.
describe('searching terminal text', () => {
  const line = `${ESC}[31mline 1234${ESC}[0m ${ESC}[1mbold${ESC}[0m plain`;

  it('reads the text as shown, across colour codes', () => {
    assert.equal(visibleAnsiText(line), 'line 1234 bold plain');
    assert.ok(visibleAnsiText(line).includes('1234 bold'));
    assert.equal(visibleAnsiText('err \u202eevil\u202c'), 'err [U+202E]evil[U+202C]');
  });

  it('marks a match that runs across colours, keeping them', () => {
    assert.equal(
      ansiToHtml(line, '1234 BOLD'),
      '<span class="ansi-red-fg">line </span><mark><span class="ansi-red-fg">1234</span></mark><mark> </mark><mark><span class="ansi-bold">bold</span></mark> plain',
    );
    assert.equal(ansiToHtml(line, 'bold plain'), '<span class="ansi-red-fg">line 1234</span> <mark><span class="ansi-bold">bold</span></mark><mark> plain</mark>');
  });

  it('marks every match, inside a link too', () => {
    assert.equal(
      ansiToHtml(`ab ${link('https://a.example/', 'xab')} ab`, 'ab'),
      '<mark>ab</mark> <a class="ansi-link" href="https://a.example/" title="https://a.example/" target="_blank" rel="noopener noreferrer">x<mark>ab</mark></a> <mark>ab</mark>',
    );
  });

  it('keeps a text-direction override shown as what it is when a search marks the line', () => {
    assert.equal(ansiToHtml('err \u202eevil\u202c', 'evil'), 'err [U+202E]<mark>evil</mark>[U+202C]');
    assert.equal(ansiToHtml('err \u202eevil\u202c', '[U+202E]evil'), 'err <mark>[U+202E]evil</mark>[U+202C]');
  });
});
