// jco's refusals are Rust error chains over several lines; the studio says them on one line,
// as its other messages, with a hint the user can act on where the cause is known.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { transpileFailed } from '../../runtime/components/transpiler.ts';

it('says an error chain on one line, each cause after a colon', () => {
  const failed = transpileFailed('app', 'failed to parse\n\nCaused by:\n    0: section 3\n    1: unexpected end');
  assert.ok(!failed.ok);
  assert.equal(failed.error.code, 'transpile-failed');
  assert.equal(failed.error.message, 'Could not transpile app to JavaScript: failed to parse: section 3: unexpected end');
  assert.match(failed.error.hint ?? '', /wasm-tools validate/);
});

it('tells an async component from before component-model#716 to be rebuilt with a current toolchain', () => {
  // What jco 0.15 says of such a component (a fixture of jco's own tests).
  const jco =
    'failed to extract interface information from component\n\nCaused by:\n    invalid leading byte (0x1) for zero byte; this was historically accepted as `cancellable` until WebAssembly/component-model#716 (at offset 0x31455c)';
  const failed = transpileFailed('callee', jco);
  assert.ok(!failed.ok);
  assert.equal(failed.error.message.includes('\n'), false);
  assert.match(failed.error.hint ?? '', /older toolchain: rebuild it with a current one/);
});
