// The HTTP view checks headers before sending, names and values alike: what HTTP cannot carry
// is said with the header, the character and the fix, and the row is known to mark it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerProblem } from '../../renderer/src/views/http/header-check.ts';

const row = (key: string, value: string, enabled = true) => ({ key, value, enabled });

describe('headerProblem', () => {
  it('says which character of a value HTTP cannot carry, and how to send such text', () => {
    const problem = headerProblem([row('Accept', '*/*'), row('X-Custom', 'ünïcode ✓')]);
    assert.equal(problem?.row, 1);
    assert.match(problem!.message, /^The value of the X-Custom header has “✓” \(U\+2713\), which HTTP cannot carry/);
    assert.match(problem!.message, /visible ASCII \(Latin-1 at most\).*Percent-encode the text.*or base64 it/);
  });

  it('names a control character by its code, a line break included', () => {
    assert.match(headerProblem([row('X-A', 'a\nb')])!.message, /has U\+000A,/);
  });

  it('takes visible ASCII, tabs and Latin-1 in values', () => {
    assert.equal(headerProblem([row('X-A', 'plain text\twith "quotes", commas; = signs'), row('X-B', 'café')]), undefined);
  });

  it('checks names the same way', () => {
    const problem = headerProblem([row('X Custom', '1')]);
    assert.equal(problem?.row, 0);
    assert.match(problem!.message, /^The header name “X Custom” has “ ” \(U\+0020\), which a header name cannot hold/);
  });

  it('leaves unticked rows and rows without a name alone, as they are not sent', () => {
    assert.equal(headerProblem([row('X-A', '✓', false), row('  ', '✓')]), undefined);
  });
});
