// Browser mode, as the CLI starts it: a StudioService over the CLI's session and the bridge
// that serves the renderer and the API on 127.0.0.1. One call to start, one to stop.
import { fileURLToPath } from 'node:url';
import type { LogBus } from '../logs/log-bus.ts';
import type { DevSession } from '../session/dev-session.ts';
import { startBridge, type Bridge } from './bridge.ts';
import { StudioService } from './studio-service.ts';

export interface BrowserStudioOptions {
  logs: LogBus;
  /** The CLI's session (the CLI starts it); project.open replaces it through createSession. */
  session: DevSession;
  target: string;
  createSession: (target: string) => DevSession;
  /** See StudioServiceOptions.recentProjects. */
  recentProjects?: () => Promise<string[]>;
  /** Bridge port; 0 or absent picks a free one. */
  port?: number;
  /** Default: renderer/dist of this checkout. */
  rendererDir?: string;
}

export interface BrowserStudio {
  /** Open this once: it carries the access token. */
  url: string;
  service: StudioService;
  bridge: Bridge;
  /** Stops the bridge and the current session. */
  close(): Promise<void>;
}

export const defaultRendererDir = fileURLToPath(new URL('../../renderer/dist', import.meta.url));

export async function startBrowserStudio(options: BrowserStudioOptions): Promise<BrowserStudio> {
  const service = new StudioService({ logs: options.logs, session: options.session, target: options.target, createSession: options.createSession, ...(options.recentProjects ? { recentProjects: options.recentProjects } : {}) });
  let bridge: Bridge;
  try {
    bridge = await startBridge({
      service,
      rendererDir: options.rendererDir ?? defaultRendererDir,
      ...(options.port !== undefined ? { port: options.port } : {}),
      log: (level, text) => void options.logs.append({ level, source: 'studio', text }),
    });
  } catch (err) {
    await service.close();
    throw err;
  }
  return {
    url: bridge.url,
    service,
    bridge,
    async close() {
      await bridge.close();
      await service.close();
    },
  };
}
