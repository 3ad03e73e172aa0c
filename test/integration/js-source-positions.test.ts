// A JavaScript component built by the studio names the project's own files when it throws:
// componentize-js prints positions in its one-file bundle (`component.js:12:5`), and the
// studio puts them back through the bundle's source map, kept in the cache at build time.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startStudio } from '../helpers/studio-process.ts';

const example = fileURLToPath(new URL('../../assets/examples/hello/', import.meta.url));

describe('a JavaScript component that throws', () => {
  let dir: string;
  after(() => rm(dir, { recursive: true, force: true }));

  it('is logged with the line of src/component.ts that threw, not the bundle\'s', async () => {
    dir = await mkdtemp(join(tmpdir(), 'studio-js-positions-'));
    const project = join(dir, 'hello');
    await cp(example, project, { recursive: true });
    const source = join(project, 'src', 'component.ts');
    const lines = (await readFile(source, 'utf8')).split('\n');
    const at = lines.findIndex((line) => line.startsWith('function handle(')) + 1;
    lines.splice(at, 0, "  if (new URL(request.url).pathname === '/boom') throw new Error('boom from the handler');");
    await writeFile(source, lines.join('\n'));
    const studio = await startStudio(project, ['--port', '0', '--no-ui']);
    try {
      const before = studio.output().length;
      await fetch(new URL('/boom', studio.url));
      // Line numbers are 1-based: the inserted line is at index `at`.
      await studio.waitFor(new RegExp(`src/component\\.ts:${at + 1}:\\d+`), 30_000, before);
      const said = studio.output().slice(before);
      assert.doesNotMatch(said, /(?<![\w/.-])component\.js:\d+:\d+/, 'no position in the bundle is left');
      // The crash report is an error, and what followed from it is not blamed on the handler.
      assert.match(said, /ERROR\s+hello Exception while /);
      assert.doesNotMatch(said, /without finishing the response body/);
    } finally {
      await studio.stop();
    }
  });
});
