// Opens a URL in the person's default browser, the way each OS does it. Best effort: where
// there is no browser (a server, CI, a container) it says why in one line and never throws.
import { spawn } from 'node:child_process';

export type OpenResult = { ok: true } | { ok: false; reason: string };

export function openInBrowser(url: string, timeoutMs = 5000): Promise<OpenResult> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? // `start` is a cmd built-in; its first quoted argument is the window title.
          ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: OpenResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let child;
    try {
      child = spawn(command, args as string[], { stdio: 'ignore', detached: true, windowsHide: true });
    } catch (err) {
      resolve({ ok: false, reason: `could not run ${command}: ${(err as Error).message}` });
      return;
    }
    // xdg-open may hand over to a browser that keeps running: not waiting for it is fine.
    const timer = setTimeout(() => settle({ ok: true }), timeoutMs);
    child.once('error', (err: NodeJS.ErrnoException) => settle({ ok: false, reason: err.code === 'ENOENT' ? `${command} is not installed` : `${command} failed: ${err.message}` }));
    child.once('exit', (code) => settle(code === 0 ? { ok: true } : { ok: false, reason: `${command} exited with code ${code}` }));
    child.unref();
  });
}

/** True where a browser window could appear: not CI, and on Linux a display to show it on. */
export function canShowWindows(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.CI) return false;
  if (process.platform === 'linux' || process.platform === 'freebsd' || process.platform === 'openbsd') return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  return true;
}
