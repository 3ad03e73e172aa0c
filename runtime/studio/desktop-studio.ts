// The studio as the Electron shell runs it: a log bus, the runtime settings, a session
// factory and the StudioService, opened on a project. Plain Node: the shell imports this
// through tsx (the runtime's workers and builders find their files next to their sources,
// so it is not bundled) and binds the service to IPC. Logs and the gateway URL also go to
// the terminal that started the app.
import pc from 'picocolors';
import { studioCacheDir } from '../cache-dir.ts';
import { LogBus } from '../logs/log-bus.ts';
import { formatRecord } from '../logs/terminal-printer.ts';
import { DevSession } from '../session/dev-session.ts';
import { defaultRuntimeSettings } from '../workloads/workload.ts';
import type { ProjectView } from './api.ts';
import { StudioService } from './studio-service.ts';

export interface DesktopStudio {
  service: StudioService;
  /** The project as it was opened (its build goes on; progress arrives as events). */
  project: ProjectView;
  close(): Promise<void>;
}

export interface DesktopStudioOptions {
  target: string;
  /** Gateway port; default 8000 (or the project's dev.address). */
  port?: number;
  print?: (line: string) => void;
}

export async function startDesktopStudio(options: DesktopStudioOptions): Promise<DesktopStudio> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const logs = new LogBus();
  logs.subscribe((record) => print(formatRecord(record)));
  const settings = defaultRuntimeSettings(studioCacheDir());
  const createSession = (target: string) =>
    new DevSession({ target, ...(options.port !== undefined ? { port: options.port } : {}), bodyLimitBytes: 100 * 2 ** 20, settings, logs }, (event) => {
      if (event.kind === 'serving') print(`${pc.green('serving')}   ${pc.bold(event.url)}`);
      else if (event.kind === 'build-failed') print(`${pc.red('✗')} build ${event.build.number} failed: ${event.error.message}`);
    });
  const service = new StudioService({ logs, createSession });
  const project = await service.open(options.target);
  return { service, project, close: () => service.close() };
}
