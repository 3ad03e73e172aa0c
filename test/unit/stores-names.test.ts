// Store names <-> file names: unsafe characters are escaped on every OS's terms, safe names
// stay readable (wash writes raw names), and nothing a component sends can name a path
// outside the store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bucketFolderName,
  decodeSegment,
  encodeSegment,
  keyFileName,
  objectNameFromSegments,
  objectPathSegments,
  rawAlternative,
} from '../../runtime/stores/safe-names.ts';
import { StoreError } from '../../runtime/stores/store-error.ts';

function invalidName(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
    assert.equal(error.code, 'invalid-name');
    assert.ok(error.hint, 'an invalid name comes with a hint');
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

/** What no file name may contain or look like on Windows, macOS or Linux. */
function assertPortable(fileName: string): void {
  assert.doesNotMatch(fileName, /[\x00-\x1f\x7f/\\:*?"<>|]/, `${JSON.stringify(fileName)} has an unsafe character`);
  assert.ok(!fileName.startsWith('.'), `${JSON.stringify(fileName)} starts with a dot`);
  assert.ok(!/[. ]$/.test(fileName), `${JSON.stringify(fileName)} ends with a dot or space`);
  assert.doesNotMatch(fileName.split('.')[0]!.trimEnd(), /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i, `${JSON.stringify(fileName)} is a reserved Windows name`);
}

describe('encodeSegment / decodeSegment', () => {
  it('leaves names that are safe everywhere as they are', () => {
    for (const name of ['user42', 'hello world', 'a.b.c', 'émoji-🎉', '日本語', 'CONSOLE', 'COM10', 'LPT10', 'x_y-z+1=2,3;4', "it's"]) {
      assert.equal(encodeSegment(name), name);
      assert.equal(decodeSegment(name), name);
    }
  });

  it('escapes every character that is unsafe in a file name, and decodes it back', () => {
    const unsafe = ['/', '\\', ':', '*', '?', '"', '<', '>', '|', '%'];
    for (let code = 0; code < 0x20; code++) unsafe.push(String.fromCharCode(code));
    unsafe.push('\x7f');
    for (const ch of unsafe) {
      const name = `a${ch}b`;
      const encoded = encodeSegment(name);
      assert.equal(encoded, `a%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}b`);
      assertPortable(encoded);
      assert.equal(decodeSegment(encoded), name);
    }
  });

  it('escapes a leading dot, and a trailing dot or space', () => {
    assert.equal(encodeSegment('.env'), '%2Eenv');
    assert.equal(encodeSegment('.'), '%2E');
    assert.equal(encodeSegment('..'), '%2E%2E');
    assert.equal(encodeSegment('name.'), 'name%2E');
    assert.equal(encodeSegment('name '), 'name%20');
    assert.equal(encodeSegment(' leading space is fine'), ' leading space is fine');
    for (const name of ['.env', '.', '..', 'name.', 'name ', '...', '. .']) {
      assertPortable(encodeSegment(name));
      assert.equal(decodeSegment(encodeSegment(name)), name);
    }
  });

  it('escapes reserved Windows device names, in any case, with or without an extension', () => {
    for (const name of ['CON', 'con', 'Prn', 'AUX', 'NUL', 'nul.txt', 'COM1', 'com9.log', 'LPT1', 'lpt5.tar.gz', 'CON .txt', 'COM¹', 'COM0', 'lpt0.txt', 'CONIN$', 'conout$.log']) {
      const encoded = encodeSegment(name);
      assert.notEqual(encoded, name, name);
      assertPortable(encoded);
      assert.equal(decodeSegment(encoded), name);
    }
    assert.equal(encodeSegment('CON'), '%43ON');
  });

  it('round-trips arbitrary text, emoji and escapes included', () => {
    const pool = ['a', 'Z', '0', '.', ' ', '%', '/', '\\', ':', '*', '?', '"', '<', '>', '|', '\x00', '\x1f', '\x7f', 'é', '🎉', '日', '%41', '%2E', 'CON', 'nul', '-'];
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 2000; i++) {
      let name = '';
      const length = 1 + Math.floor(random() * 8);
      for (let j = 0; j < length; j++) name += pool[Math.floor(random() * pool.length)];
      const encoded = encodeSegment(name);
      assertPortable(encoded);
      assert.equal(decodeSegment(encoded), name, `round trip of ${JSON.stringify(name)} via ${JSON.stringify(encoded)}`);
    }
  });

  it('reads raw names written by other programs as themselves', () => {
    // wash writes keys as file names without escaping anything.
    assert.equal(decodeSegment('user:1'), 'user:1');
    assert.equal(decodeSegment('100%'), '100%');
    assert.equal(decodeSegment('50% off'), '50% off');
    assert.equal(decodeSegment('a%2'), 'a%2');
    assert.equal(decodeSegment('%zz'), '%zz');
    // Not what the encoder writes (lower-case hex, an escape of a safe character, or of a
    // non-ASCII byte), so not an encoding: the name is raw.
    assert.equal(decodeSegment('%3a'), '%3a');
    assert.equal(decodeSegment('%41'), '%41');
    assert.equal(decodeSegment('%C3%A9'), '%C3%A9');
    assert.equal(decodeSegment('user%3A1'), 'user:1');
  });

  it('offers the raw file name wash would use, when it is unambiguous', () => {
    assert.equal(rawAlternative('user:1', encodeSegment('user:1')), 'user:1');
    assert.equal(rawAlternative('plain', encodeSegment('plain')), undefined);
    // The raw name "%3A" is the canonical file of the key ":", so it cannot stand for "%3A".
    assert.equal(rawAlternative('%3A', encodeSegment('%3A')), undefined);
    assert.equal(rawAlternative('a/b', encodeSegment('a/b')), undefined);
    assert.equal(rawAlternative('..', encodeSegment('..')), undefined);
  });
});

describe('keyFileName', () => {
  it('makes a key one file: "/" is escaped, not a folder', () => {
    assert.equal(keyFileName('users/42'), 'users%2F42');
    assert.equal(keyFileName('.'), '%2E');
    assert.equal(keyFileName('session:abc'), 'session%3Aabc');
  });

  it('refuses empty keys, traversal and absolute paths', () => {
    invalidName(() => keyFileName(''), /empty/);
    invalidName(() => keyFileName('..'), /\.\./);
    invalidName(() => keyFileName('../x'), /\.\./);
    invalidName(() => keyFileName('a/../../b'), /\.\./);
    invalidName(() => keyFileName('..\\x'), /\.\./);
    invalidName(() => keyFileName('/etc/passwd'), /absolute/);
    invalidName(() => keyFileName('\\\\server\\share'), /absolute/);
    invalidName(() => keyFileName('C:\\Windows'), /absolute/);
  });

  it('refuses keys over 1 KiB of UTF-8, and keys whose file name would pass 255 bytes', () => {
    assert.equal(keyFileName('k'.repeat(255)), 'k'.repeat(255));
    invalidName(() => keyFileName('k'.repeat(256)), /255/);
    invalidName(() => keyFileName('é'.repeat(600)), /1024/);
    // 100 colons are 100 bytes of key but 300 bytes of file name once escaped.
    invalidName(() => keyFileName(':'.repeat(100)), /300-byte file name/);
  });

  it('refuses text that is not valid Unicode', () => {
    invalidName(() => keyFileName('a\uD800b'), /Unicode/);
    assert.equal(keyFileName('😀'), '😀');
  });
});

describe('bucketFolderName', () => {
  it('escapes unsafe characters of a bucket name', () => {
    assert.equal(bucketFolderName('sessions'), 'sessions');
    assert.equal(bucketFolderName('my:bucket'), 'my%3Abucket');
    assert.equal(bucketFolderName('.hidden'), '%2Ehidden');
  });

  it('refuses names that are not one ordinary folder', () => {
    invalidName(() => bucketFolderName(''), /empty/);
    invalidName(() => bucketFolderName('.'));
    invalidName(() => bucketFolderName('..'));
    invalidName(() => bucketFolderName('a/b'), /contains a "\/"/);
    invalidName(() => bucketFolderName('a\\b'), /contains a "\/"/);
    invalidName(() => bucketFolderName('b'.repeat(201)), /200/);
  });
});

describe('objectPathSegments', () => {
  it('splits object names into folders, escaping each part on its own', () => {
    assert.deepEqual(objectPathSegments('a/b/c.txt'), ['a', 'b', 'c.txt']);
    assert.deepEqual(objectPathSegments('photos/a:b.jpg'), ['photos', 'a%3Ab.jpg']);
    assert.deepEqual(objectPathSegments('.config/CON'), ['%2Econfig', '%43ON']);
    assert.equal(objectNameFromSegments(objectPathSegments('x/.y/z%w/🎉')), 'x/.y/z%w/🎉');
  });

  it('refuses absolute names, empty parts and traversal', () => {
    invalidName(() => objectPathSegments('/etc/passwd'), /absolute/);
    invalidName(() => objectPathSegments('C:/x'), /absolute/);
    invalidName(() => objectPathSegments('a//b'), /empty/);
    invalidName(() => objectPathSegments('a/'), /empty/);
    invalidName(() => objectPathSegments('../x'), /\.\./);
    invalidName(() => objectPathSegments('a/../../x'), /\.\./);
    invalidName(() => objectPathSegments('a/./b'), /"\."/);
  });

  it('keeps a backslash inside a part instead of making a folder', () => {
    assert.deepEqual(objectPathSegments('a\\b'), ['a%5Cb']);
  });
});
