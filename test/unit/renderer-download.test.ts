// The name a saved response body gets: the extension of its media type, so it opens in the
// right program.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withExtension } from '../../renderer/src/lib/download.ts';

describe('the name of a saved body', () => {
  it('takes the extension of its media type, parameters and case aside', () => {
    assert.equal(withExtension('response-200', 'image/png'), 'response-200.png');
    assert.equal(withExtension('response-200', 'text/html; charset=utf-8'), 'response-200.html');
    assert.equal(withExtension('response-404', 'Application/JSON'), 'response-404.json');
  });

  it('keeps the name bare for no type or one it does not know', () => {
    assert.equal(withExtension('response-200', ''), 'response-200');
    assert.equal(withExtension('response-200', 'application/x-made-up'), 'response-200');
    assert.equal(withExtension('response-200', 'not a type'), 'response-200');
  });
});
