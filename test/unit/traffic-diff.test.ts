// How two answers are compared and how a check judges one: headers less the ignored ones, JSON
// structurally, PNG images by their pixels (the box around what changed), and a JSON subset.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { judge, mismatch } from '../../runtime/traffic/check-run.ts';
import { compareImages, compareResponses, jsonChanges } from '../../runtime/traffic/response-diff.ts';
import type { TrafficRecord } from '../../runtime/traffic/traffic-record.ts';

function record(status: number, headers: [string, string][]): TrafficRecord {
  return { id: 1, time: 0, method: 'GET', path: '/', authority: 'localhost', scheme: 'http', requestHeaders: [], responseHeaders: headers, status, durationMs: 1, requestBytes: 0, responseBytes: 0, requestCut: false, responseCut: false, origin: 'client', notes: [], logs: [], outbound: [] };
}
const side = (status: number, headers: [string, string][], body: string | Uint8Array) => ({ record: record(status, headers), bodies: { request: new Uint8Array(), response: typeof body === 'string' ? new TextEncoder().encode(body) : body } });

/** A white PNG of `size`, with a black rectangle where `dark` says. */
function png(width: number, height: number, dark?: { x: number; y: number; w: number; h: number }): Uint8Array {
  const image = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = dark && x >= dark.x && x < dark.x + dark.w && y >= dark.y && y < dark.y + dark.h;
      image.data.set(inside ? [0, 0, 0, 255] : [255, 255, 255, 255], (y * width + x) * 4);
    }
  }
  return new Uint8Array(PNG.sync.write(image));
}

describe('comparing two answers', () => {
  it('leaves out the ignored headers and reports the others that differ', () => {
    const diff = compareResponses(side(200, [['Date', 'Mon'], ['x-v', '1']], 'same'), side(200, [['date', 'Tue'], ['X-V', '2'], ['x-new', 'yes']], 'same'), ['date']);
    assert.equal(diff.outcome, 'changed');
    assert.deepEqual(diff.headers, [{ name: 'x-new', after: 'yes' }, { name: 'x-v', before: '1', after: '2' }]);
    assert.equal(compareResponses(side(200, [['date', 'Mon']], 'same'), side(200, [['date', 'Tue']], 'same'), ['date']).outcome, 'matched');
  });

  it('compares JSON structurally: key order and spacing do not count, changed paths are listed', () => {
    assert.equal(compareResponses(side(200, [], '{"a":1,"b":[1,2]}'), side(200, [], '{ "b": [1, 2], "a": 1 }'), []).outcome, 'matched');
    const diff = compareResponses(side(200, [], '{"a":1,"items":[{"name":"x"}]}'), side(200, [], '{"a":1,"items":[{"name":"y"}],"more":true}'), []);
    assert.equal(diff.body.kind, 'json');
    assert.deepEqual(diff.body.kind === 'json' ? diff.body.changes : [], [
      { path: '$.items[0].name', change: 'changed', before: 'x', after: 'y' },
      { path: '$.more', change: 'added', after: true },
    ]);
    assert.deepEqual(jsonChanges(1, 2), [{ path: '$', change: 'changed', before: 1, after: 2 }]);
  });

  it('compares PNG images by their pixels and boxes the area that changed', () => {
    const before = png(40, 30, { x: 5, y: 5, w: 4, h: 4 });
    const after = png(40, 30, { x: 20, y: 10, w: 6, h: 3 });
    const image = compareImages(before, after)!;
    assert.equal(image.changedPixels, 16 + 18);
    assert.deepEqual(image.box, { x: 5, y: 5, width: 21, height: 8 });
    const highlight = PNG.sync.read(Buffer.from(image.highlight, 'base64'));
    assert.deepEqual([highlight.width, highlight.height], [40, 30]);
    // The same pixels in another encoding are the same image.
    assert.equal(compareResponses(side(200, [], before), side(200, [], png(40, 30, { x: 5, y: 5, w: 4, h: 4 })), []).outcome, 'matched');
  });

  it('compares images of different sizes on the larger canvas', () => {
    const image = compareImages(png(10, 10), png(12, 10))!;
    assert.deepEqual([image.before, image.after], [{ width: 10, height: 10 }, { width: 12, height: 10 }]);
    assert.deepEqual(image.box, { x: 10, y: 0, width: 2, height: 10 });
  });
});

describe('judging an answer by a check', () => {
  it('finds where a JSON value does not contain the expected subset', () => {
    assert.equal(mismatch({ a: 1, list: [{ id: 1 }] }, { a: 1, b: 2, list: [{ id: 1, name: 'x' }] }, '$'), undefined);
    assert.equal(mismatch({ a: 1 }, { a: 2 }, '$'), '$.a is 2, expected 1');
    assert.equal(mismatch({ list: [1, 2] }, { list: [1] }, '$'), '$.list has 1 items, expected 2');
    assert.equal(mismatch({ nested: { x: true } }, { nested: {} }, '$'), '$.nested.x is missing');
  });

  it('says every way an answer differs, ignoring the headers the file ignores', () => {
    const answer = record(500, [['content-type', 'text/plain'], ['date', 'Tue']]);
    const problems = judge({ status: 200, headers: { 'Content-Type': 'application/json', date: 'Mon' }, body: { regex: '^ok' } }, answer, new TextEncoder().encode('boom'), new Set(['date']));
    assert.deepEqual(problems, ['Status 500, expected 200.', 'Content-Type is "text/plain", expected "application/json".', 'The body does not match /^ok/.']);
  });
});
