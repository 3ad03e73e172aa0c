// The studio UI as the CLI runs it (`component-studio dev` without --no-ui): starts browser
// mode, prints its URL once beside the gateway's, opens a browser on --open, and remembers
// the project it has open for `--last-project`. Kept out of
// cli.ts so the command line stays one call away from the UI.
import pc from 'picocolors';
import { describe, StudioFailure } from '../errors.ts';
import type { LogBus } from '../logs/log-bus.ts';
import type { DevSession } from '../session/dev-session.ts';
import { studioConfigDir } from '../cache-dir.ts';
import { startBrowserStudio } from './browser-studio.ts';
import { launchStateFile, projectRememberer, recentProjects } from './launch-state.ts';
import { openInBrowser } from './open-browser.ts';

export interface CliUiOptions {
  logs: LogBus;
  session: DevSession;
  target: string;
  createSession: (target: string) => DevSession;
  /** 0 picks a free port. */
  port: number;
  open: boolean;
  /** Prints one line in the CLI's progress output. */
  print: (text: string) => void;
}

export interface CliUi {
  url: string;
  /** The session the UI drives now (project.open replaces the first one). */
  currentSession(): DevSession | undefined;
  /** Runs a Studio API command (the snapshot channel's way in, so the UI hears of it). */
  call(command: string, args: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export async function startUi(options: CliUiOptions): Promise<CliUi> {
  let studio;
  try {
    studio = await startBrowserStudio({ logs: options.logs, session: options.session, target: options.target, createSession: options.createSession, port: options.port, recentProjects: () => recentProjects(launchStateFile(studioConfigDir())) });
  } catch (err) {
    const text = err instanceof StudioFailure ? describe(err.error) : (err as Error).message;
    options.print(`${pc.red('error')} ${text}`);
    process.exit(1);
  }
  const { url } = studio;
  // The next `npm start` without a project reopens the project the UI has open, as the desktop
  // app does (launch-state.ts).
  const remember = projectRememberer(launchStateFile(studioConfigDir()));
  studio.service.subscribe((event) => {
    if (event.event === 'project.changed') remember(event.payload.path);
  });
  // Printed right under the header line the session prints first, so both URLs are together
  // at the top; the UI shows the build as it runs.
  const off = options.session.subscribe((event) => {
    if (event.kind !== 'target') return;
    off();
    options.print(`${pc.cyan('studio')}    ${pc.bold(url)}`);
    if (options.open) {
      // Not the printed URL: a browser's command line is visible to every user of the machine.
      void openInBrowser(studio.bridge.launchUrl()).then((opened) => {
        if (!opened.ok) options.print(pc.dim(`could not open a browser (${opened.reason}); open the studio URL above yourself`));
      });
    }
  });
  return {
    url,
    currentSession: () => studio.service.currentSession,
    call: (command, args) => studio.service.call(command, args, 'terminal'),
    close: () => studio.close(),
  };
}
