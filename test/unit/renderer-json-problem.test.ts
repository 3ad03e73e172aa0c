// Before the playground sends a JSON body, it says what is wrong with it and where.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonProblem } from '../../renderer/src/lib/json-problem.ts';

describe('jsonProblem', () => {
  it('finds nothing wrong with valid JSON', () => {
    assert.equal(jsonProblem('{"payload": "hello", "n": [1, 2.5e3, null]}'), undefined);
  });

  it('says an empty body is empty, with the way out', () => {
    assert.equal(jsonProblem('  \n'), 'the body is empty (send {} or choose None)');
  });

  it('names the problem, the text near it, the line and the column', () => {
    assert.equal(jsonProblem('{\n  "a": 1\n  "b": 2\n}'), 'a comma was expected near ""b"" (line 3, column 3)');
    assert.equal(jsonProblem('{"a":1,}'), 'a property name in double quotes was expected near "}" (line 1, column 8)');
    assert.equal(jsonProblem("{'a':1}"), `unexpected text near "'a'" (line 1, column 2)`);
    assert.equal(jsonProblem('[1, 2'), 'a closing ] was expected (line 1, column 6)');
  });

  it('says comments are not JSON', () => {
    assert.match(jsonProblem('// note\n{}')!, /^comments are not allowed in JSON/);
  });
});
