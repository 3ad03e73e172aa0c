// Assertions shared by the store tests.
import assert from 'node:assert/strict';
import { StoreError, type StoreErrorCode } from '../../runtime/stores/store-error.ts';

/** `fn` throws a StoreError with this code, a hint, and (when given) a message matching `pattern`. */
export function fails(fn: () => unknown, code: StoreErrorCode, pattern?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.ok(error.hint, 'a store error comes with a hint');
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}
