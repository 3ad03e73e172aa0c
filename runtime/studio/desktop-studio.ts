// The studio as the Electron shell runs it: a log bus, the runtime settings, a session
// factory and the StudioService, opened on a project. Plain Node: the shell imports this
// through tsx (the runtime's workers and builders find their files next to their sources,
// so it is not bundled) and binds the service to IPC. The log, the session's progress
// included, also goes to the terminal that started the app.
import { studioCacheDir } from '../cache-dir.ts';
import { LogBus } from '../logs/log-bus.ts';
import { TerminalPrinter, type TerminalOutput } from '../logs/terminal-printer.ts';
import { DevSession } from '../session/dev-session.ts';
import { SessionLog } from '../session/session-log.ts';
import { defaultRuntimeSettings } from '../workloads/workload.ts';
import type { ProjectView } from './api.ts';
import { serveSnapshotCommands } from './snapshot-cli.ts';
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
  /** Where the log is printed (default: this process's stdout). */
  output?: TerminalOutput;
  /**
   * Where the UI's own state is kept (the app's user data folder). Only that: the notes that
   * let `component-studio snapshot` in a terminal find this studio stay in the user config
   * folder the command line reads.
   */
  uiStateDir?: string;
  /** Where the app keeps its copies of the examples: see StudioServiceOptions.studioFolders. */
  examplesDir?: string;
  /** See StudioServiceOptions.recentProjects. */
  recentProjects?: () => Promise<string[]>;
}

export async function startDesktopStudio(options: DesktopStudioOptions): Promise<DesktopStudio> {
  const logs = new LogBus();
  const sessionLog = new SessionLog(logs);
  sessionLog.printTo(new TerminalPrinter(options.output ?? process.stdout));
  const settings = defaultRuntimeSettings(studioCacheDir());
  const createSession = (target: string) =>
    sessionLog.follow(new DevSession({ target, ...(options.port !== undefined ? { port: options.port } : {}), bodyLimitBytes: 100 * 2 ** 20, settings, logs }));
  const service = new StudioService({ logs, createSession, ...(options.uiStateDir ? { configDir: options.uiStateDir } : {}), ...(options.examplesDir ? { studioFolders: [options.examplesDir] } : {}), ...(options.recentProjects ? { recentProjects: options.recentProjects } : {}) });
  const project = await service.open(options.target);
  // `component-studio snapshot …` in a terminal asks this studio to do the work.
  // When it cannot (an unwritable config folder), the app's Logs view says so.
  const channel = await serveSnapshotCommands(() => service.currentSession, service, (text) => logs.append({ level: 'warn', source: 'studio', text }));
  return {
    service,
    project,
    async close() {
      await channel.close();
      await service.close();
    },
  };
}
