// Previews pick a viewer by what the bytes are: images by their magic bytes, then JSON, HTML,
// text, and hex for the rest.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectContent, imageMime, languageFor } from '../../renderer/src/lib/content-kind.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('imageMime', () => {
  it('recognises PNG, JPEG, GIF and WebP by their first bytes', () => {
    assert.equal(imageMime(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0)), 'image/png');
    assert.equal(imageMime(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0)), 'image/jpeg');
    assert.equal(imageMime(bytes('GIF89a')), 'image/gif');
    assert.equal(imageMime(bytes('RIFF\x10\x00\x00\x00WEBPVP8 ')), 'image/webp');
  });

  it('says a RIFF file that is not WebP (a WAV) is no image', () => {
    assert.equal(imageMime(bytes('RIFF\x10\x00\x00\x00WAVEfmt ')), undefined);
  });
});

describe('detectContent', () => {
  it('shows nothing for no bytes', () => {
    assert.deepEqual(detectContent(new Uint8Array(0)), { kind: 'empty' });
  });

  it('trusts the bytes over a content type that says otherwise', () => {
    assert.deepEqual(detectContent(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), 'text/plain'), { kind: 'image', mime: 'image/png' });
  });

  it('pretty-prints JSON, recognised by its content type or its first character', () => {
    assert.deepEqual(detectContent(bytes('{"a":[1,2]}')), { kind: 'json', text: '{"a":[1,2]}', pretty: '{\n  "a": [\n    1,\n    2\n  ]\n}' });
    assert.equal(detectContent(bytes('42'), 'application/json').kind, 'json');
  });

  it('shows text that only looks like JSON as text', () => {
    assert.deepEqual(detectContent(bytes('{not json')), { kind: 'text', text: '{not json' });
  });

  it('recognises HTML by a doctype, an <html> tag or the content type', () => {
    assert.equal(detectContent(bytes('<!DOCTYPE html><title>x</title>')).kind, 'html');
    assert.equal(detectContent(bytes('  <html lang="en">')).kind, 'html');
    assert.equal(detectContent(bytes('<p>hi</p>'), 'text/html; charset=utf-8').kind, 'html');
    assert.equal(detectContent(bytes('<p>hi</p>')).kind, 'text');
  });

  it('shows bytes that are not text as binary', () => {
    assert.deepEqual(detectContent(Uint8Array.of(0, 1, 2, 3, 0xff)), { kind: 'binary' });
  });
});

describe('languageFor', () => {
  it('picks the editor language from the content type or the name', () => {
    assert.equal(languageFor('data', 'application/json'), 'json');
    assert.equal(languageFor('page.htm'), 'html');
    assert.equal(languageFor('config.yml'), 'yaml');
    assert.equal(languageFor('main.mjs'), 'javascript');
    assert.equal(languageFor('feed', 'application/atom+xml'), 'xml');
    assert.equal(languageFor('notes.txt'), 'plaintext');
  });
});
