// How numbers, sizes and times read in the UI.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAgo, formatBytes, formatCount, formatMs, formatShortDate, formatTime } from '../../renderer/src/lib/format.ts';

describe('formatBytes', () => {
  it('uses bytes below 1 KiB, one decimal below 10 units, whole numbers above', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1024), '1.0 KiB');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(10 * 1024), '10 KiB');
    assert.equal(formatBytes(5 * 2 ** 20), '5.0 MiB');
    assert.equal(formatBytes(3 * 2 ** 40), '3.0 TiB');
    assert.equal(formatBytes(2 ** 50), '1024 TiB');
  });
});

describe('formatMs', () => {
  it('shows sub-millisecond times with two decimals, then milliseconds, then seconds', () => {
    assert.equal(formatMs(undefined), '—');
    assert.equal(formatMs(Number.NaN), '—');
    assert.equal(formatMs(0.25), '0.25 ms');
    assert.equal(formatMs(12.4), '12 ms');
    assert.equal(formatMs(999.7), '1.0 s');
    assert.equal(formatMs(1500), '1.5 s');
    assert.equal(formatMs(12_340), '12.3 s');
  });
});

describe('formatTime', () => {
  it('shows the local time of day with milliseconds', () => {
    assert.equal(formatTime(new Date(2026, 0, 2, 3, 4, 5, 6).getTime()), '03:04:05.006');
  });
});

describe('formatAgo', () => {
  const now = new Date(2026, 5, 1, 12, 0, 0).getTime();
  it('says how long ago, in the largest unit that fits', () => {
    assert.equal(formatAgo(now - 2000, now), 'just now');
    assert.equal(formatAgo(now - 30_000, now), '30 s ago');
    assert.equal(formatAgo(now - 5 * 60_000, now), '5 min ago');
    assert.equal(formatAgo(now - 3 * 3_600_000, now), '3 h ago');
  });

  it('says "just now" for a time in the future (clocks differ)', () => {
    assert.equal(formatAgo(now + 60_000, now), 'just now');
  });
});

describe('formatCount', () => {
  it('groups thousands', () => {
    assert.equal(formatCount(1_234_567), '1,234,567');
  });
});

describe('formatShortDate', () => {
  const now = new Date(2026, 5, 1, 12, 0, 0).getTime();
  it('shows the time for today and the date for another day', () => {
    assert.equal(formatShortDate(new Date(2026, 5, 1, 8, 30, 15).getTime(), now), '08:30:15');
    assert.doesNotMatch(formatShortDate(new Date(2026, 4, 30, 8, 30, 15).getTime(), now), /08:30/);
  });
});
