// A component that counts the requests its instance has served, answering "1\n", "2\n", ...:
// the digit lives in the instance's memory, so only a reused instance counts up, and a fresh
// instance per request (wash's way) always answers 1. Made from the hello WAT fixture, the way
// the fixtures are made (wasm-tools in-process), into a file the caller names.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { componentEmbed, componentNew, parse } from '@bytecodealliance/jco-transpile/wasm-tools';
import { repoRoot } from './studio-process.ts';

export async function buildCounterComponent(out: string): Promise<void> {
  const fixtures = join(repoRoot, 'test', 'fixtures', 'wat');
  const hello = await readFile(join(fixtures, 'hello.wat'), 'utf8');
  const wat = hello
    .replace('(data (i32.const 0x030) "hello from wat\\n")', '(data (i32.const 0x030) "0\\n")')
    .replace(
      '(call $output-stream.blocking-write-and-flush (local.get $stream)\n      (i32.const 0x030) (i32.const 15)',
      '(i32.store8 (i32.const 0x030) (i32.add (i32.load8_u (i32.const 0x030)) (i32.const 1)))\n    (call $output-stream.blocking-write-and-flush (local.get $stream)\n      (i32.const 0x030) (i32.const 2)',
    );
  assert.match(wat, /i32\.store8 \(i32\.const 0x030\)/, 'the hello fixture changed: update the counter recipe');
  assert.match(wat, /"0\\n"/, 'the hello fixture changed: update the counter recipe');
  const wit = await readFile(join(fixtures, 'wit', 'world.wit'), 'utf8');
  await writeFile(out, await componentNew(await componentEmbed({ binary: await parse(wat), witSource: wit, world: 'http-handler' })));
}

/** The answers to `n` requests in a row, trimmed. */
export async function answers(url: string, n = 3): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await (await fetch(url)).text()).trim());
  return out;
}
