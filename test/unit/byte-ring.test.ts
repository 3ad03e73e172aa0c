// The ring that carries one direction of a TCP connection between two threads: bytes come out
// in order across the wrap-around, it takes no more than its capacity, and its flags and
// waiter bits say what the two ends need to know.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteRing, RingFlag, RingWaiter } from '../../runtime/network/byte-ring.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('ByteRing', () => {
  it('takes no more than its capacity and says how much it took', () => {
    const ring = ByteRing.create(8);
    assert.equal(ring.write(bytes(1, 2, 3, 4, 5, 6)), 6);
    assert.equal(ring.write(bytes(7, 8, 9, 10)), 2);
    assert.equal(ring.free(), 0);
    assert.equal(ring.available(), 8);
    assert.deepEqual(ring.read(100), bytes(1, 2, 3, 4, 5, 6, 7, 8));
  });

  it('keeps the order across the wrap-around, many times over', () => {
    const ring = ByteRing.create(7);
    const sent: number[] = [];
    const got: number[] = [];
    let next = 0;
    for (let round = 0; round < 1000; round++) {
      const chunk = Uint8Array.from({ length: 1 + (round % 5) }, () => next++ % 256);
      const n = ring.write(chunk);
      sent.push(...chunk.subarray(0, n));
      next -= chunk.length - n;
      got.push(...ring.read(1 + (round % 3)));
    }
    got.push(...ring.read(100));
    assert.deepEqual(got, sent);
    assert.ok(sent.length > 2000);
  });

  it('reads nothing from an empty ring, and an empty array for max 0', () => {
    const ring = ByteRing.create(4);
    assert.equal(ring.read(10).length, 0);
    ring.write(bytes(1));
    assert.equal(ring.read(0).length, 0);
    assert.equal(ring.available(), 1);
  });

  it('drops unread bytes on discard, making room', () => {
    const ring = ByteRing.create(4);
    ring.write(bytes(1, 2, 3, 4));
    ring.discard();
    assert.equal(ring.available(), 0);
    assert.equal(ring.free(), 4);
  });

  it('is the same ring on both sides of its shared buffer', () => {
    const writer = ByteRing.create(16);
    const reader = new ByteRing(writer.buffer);
    writer.write(bytes(9, 8, 7));
    writer.set(RingFlag.writerClosed);
    assert.deepEqual(reader.read(16), bytes(9, 8, 7));
    assert.ok(reader.has(RingFlag.writerClosed));
  });

  it('reports a flag as new only the first time it is set', () => {
    const ring = ByteRing.create(4);
    assert.equal(ring.set(RingFlag.readerClosed), true);
    assert.equal(ring.set(RingFlag.readerClosed), false);
    assert.equal(ring.has(RingFlag.writerClosed), false);
  });

  it('carries the error code of a broken connection', () => {
    const ring = ByteRing.create(4);
    assert.equal(ring.error(), undefined);
    ring.fail('connection-reset');
    assert.equal(ring.error(), 'connection-reset');
    assert.ok(ring.has(RingFlag.failed));
  });

  it('hands a waiter bit to exactly one taker', () => {
    const ring = ByteRing.create(4);
    assert.equal(ring.takeWaiter(RingWaiter.reader), false);
    ring.willWait(RingWaiter.reader);
    ring.willWait(RingWaiter.writer);
    assert.equal(ring.takeWaiter(RingWaiter.reader), true);
    assert.equal(ring.takeWaiter(RingWaiter.reader), false);
    assert.equal(ring.takeWaiter(RingWaiter.writer), true);
  });
});
