// A real project in a temp folder whose build command turns message.txt into a component
// answering that message (see test/fixtures/message-project). Builds take well under a
// second, so live-reload tests can save and reload many times.
import { mkdtemp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './studio-process.ts';

export interface MessageProject {
  root: string;
  /**
   * Saves message.txt as many editors do, into a temp file renamed over it: one change event
   * per save. (An in-place write is a truncate and a write, which a loaded machine may report
   * as two saves; the watcher's own tests cover those.)
   */
  save(message: string): Promise<void>;
  writeConfig(yaml: string): Promise<void>;
  remove(): Promise<void>;
}

const buildScript = join(repoRoot, 'test', 'fixtures', 'message-project', 'build-component.mjs');

export function messageBuildCommand(): string {
  return `node "${buildScript}"`;
}

export async function messageProject(message: string, extraConfig = ''): Promise<MessageProject> {
  const root = join(await mkdtemp(join(tmpdir(), 'studio-message-')), 'message');
  await mkdir(join(root, '.wash'), { recursive: true });
  const project: MessageProject = {
    root,
    save: async (text) => {
      await writeFile(join(root, 'message.txt.tmp'), text);
      await rename(join(root, 'message.txt.tmp'), join(root, 'message.txt'));
    },
    writeConfig: (yaml) => writeFile(join(root, '.wash', 'config.yaml'), yaml),
    // Retried: a running studio may be writing captured traffic into .wash/studio meanwhile.
    remove: () => rm(join(root, '..'), { recursive: true, force: true, maxRetries: 5 }),
  };
  await project.writeConfig(`build:\n  command: ${JSON.stringify(messageBuildCommand())}\n${extraConfig}`);
  await project.save(message);
  return project;
}
