// Names and log text from outside the studio shown as what they are: characters that reorder
// or hide text show by their code point, and a name's edge whitespace shows as marks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nameParts, revealHidden, visibleName } from '../../renderer/src/lib/visible-text.ts';

describe('revealHidden', () => {
  it('shows bidi overrides, isolates and marks by their code point', () => {
    assert.equal(revealHidden('evil\u202eexe.txt'), 'evil[U+202E]exe.txt');
    assert.equal(revealHidden('a\u2066b\u2069c\u200fd\u061ce'), 'a[U+2066]b[U+2069]c[U+200F]d[U+061C]e');
  });

  it('shows zero-width spaces and byte order marks, and leaves emoji joiners alone', () => {
    assert.equal(revealHidden('pay\u200bpal\ufeff'), 'pay[U+200B]pal[U+FEFF]');
    assert.equal(revealHidden('👩\u200d💻'), '👩\u200d💻');
  });
});

describe('nameParts', () => {
  it('marks leading and trailing whitespace and leaves inner spaces as they are', () => {
    assert.deepEqual(nameParts('  spaced  out\t'), [
      { text: '␣', mark: 'a space' },
      { text: '␣', mark: 'a space' },
      { text: 'spaced  out' },
      { text: '⇥', mark: 'a tab' },
    ]);
  });

  it('marks a hidden character, so "eviltxt.exe" cannot pass for an .exe', () => {
    assert.deepEqual(nameParts('evil\u202eexe.txt'), [{ text: 'evil' }, { text: '[U+202E]', mark: 'the invisible character [U+202E]' }, { text: 'exe.txt' }]);
  });

  it('keeps a plain name whole, and marks a name of spaces only', () => {
    assert.deepEqual(nameParts('settings/theme'), [{ text: 'settings/theme' }]);
    assert.equal(visibleName('  '), '␣␣');
    assert.equal(visibleName('\u00a0x'), '[U+00A0]x');
  });
});
