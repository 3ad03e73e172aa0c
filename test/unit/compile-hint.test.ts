// What the studio advises when V8 will not compile a component's core module, on V8's own
// messages: a proposal behind a flag, or a module that is not valid WebAssembly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileHint } from '../../runtime/workloads/prepared-component.ts';

/** V8's message for these bytes as a module. */
function compileError(bytes: number[]): string {
  try {
    new WebAssembly.Module(new Uint8Array(bytes));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('it compiled');
}

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

describe('the hint for a core module that does not compile', () => {
  it('calls a damaged module damaged, with how to find where', () => {
    // One function whose body is an opcode that does not exist (a flipped byte).
    const message = compileError([...HEADER, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0xff]);
    assert.match(compileHint(message), /not valid WebAssembly: the file may be damaged .* `wasm-tools validate`/);
  });

  it('names a feature Node keeps behind a flag as such', (t) => {
    // A 64-bit memory, which Node 20 compiles only with --experimental-wasm-memory64.
    const message = compileError([...HEADER, 0x05, 0x03, 0x01, 0x04, 0x01]);
    if (!/--experimental-wasm-/.test(message)) return t.skip(`this Node (${process.version}) compiles 64-bit memories: ${message}`);
    assert.match(compileHint(message), new RegExp(`uses a WebAssembly feature this Node \\(${process.version.replace(/\./g, '\\.')}\\) does not turn on`));
  });
});
