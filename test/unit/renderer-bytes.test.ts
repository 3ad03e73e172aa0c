// Bytes as the Studio API carries them (base64), text decoding for previews, and counters as
// wasi:keyvalue/atomics and wash keep them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64ToBytes, bytesToBase64, counterBytes, decodeText, readCounter, textToBase64 } from '../../renderer/src/lib/bytes.ts';

describe('base64', () => {
  it('round-trips every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(base64ToBytes(bytesToBase64(bytes)), bytes);
    assert.equal(bytesToBase64(bytes), Buffer.from(bytes).toString('base64'));
  });

  it('encodes megabytes without running out of call arguments', () => {
    const bytes = new Uint8Array(3 * 2 ** 20).map((_, i) => i * 7);
    assert.equal(bytesToBase64(bytes), Buffer.from(bytes).toString('base64'));
  });

  it('encodes text as UTF-8', () => {
    assert.equal(textToBase64('pässword ☺'), Buffer.from('pässword ☺', 'utf8').toString('base64'));
  });
});

describe('decodeText', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('decodes UTF-8 text, with tabs, line ends and ANSI escapes', () => {
    assert.equal(decodeText(bytes('café\tok\r\n\x1b[31mred\x1b[0m')), 'café\tok\r\n\x1b[31mred\x1b[0m');
  });

  it('says bytes that are not UTF-8 are not text', () => {
    assert.equal(decodeText(Uint8Array.of(0xff, 0xfe, 0x41, 0x42, 0x43)), undefined);
  });

  it('says bytes with NUL or other control characters are not text', () => {
    assert.equal(decodeText(bytes('abc\x00def')), undefined);
    assert.equal(decodeText(bytes('abc\x07def')), undefined);
  });

  it('reads text cut in the middle of its last character (at a size cap)', () => {
    const cut = bytes('preview ☺').subarray(0, -1);
    assert.equal(decodeText(cut), 'preview ');
  });
});

describe('counters', () => {
  it('reads a whole number in decimal text', () => {
    assert.equal(readCounter(counterBytes(42n)), 42n);
    assert.equal(readCounter(new TextEncoder().encode('18446744073709551615')), 2n ** 64n - 1n);
  });

  it('refuses what is not a u64 in decimal text', () => {
    for (const text of ['', '-1', '1.5', ' 7', '18446744073709551616', 'abc']) assert.equal(readCounter(new TextEncoder().encode(text)), undefined, text);
  });
});
