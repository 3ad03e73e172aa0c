// A desktop app started from the Finder, the Dock or a Linux desktop menu gets the session's
// PATH (on macOS launchd's /usr/bin:/bin:/usr/sbin:/sbin), not the one the user's shell sets
// up: cargo, tinygo, wash or kubectl in ~/.cargo/bin or /opt/homebrew/bin would not be found
// by a build command or a deploy. So the packaged app asks the login shell for its PATH once
// at start. Written here rather than taken from shell-env (the usual package for it): that
// one waits without a limit, and a shell startup file that waits for input would hold the
// app's start for good; this one gives up after a few seconds and keeps the PATH it had.
import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';

const MARK = '__component_studio_path__';

/** The login shell's PATH, or undefined when it could not be read in time (the app keeps its own). */
export function loginShellPath(shell = process.env.SHELL || (process.platform === 'darwin' ? '/bin/zsh' : '/bin/sh'), timeoutMs = 5000): Promise<string | undefined> {
  return new Promise((resolve) => {
    // Interactive and login, as a terminal starts it: PATH is often set in .zshrc or .bashrc.
    // The variables keep oh-my-zsh from updating itself or starting tmux meanwhile.
    const child = spawn(shell, ['-ilc', `printf '${MARK}%s${MARK}' "$PATH"`], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, DISABLE_AUTO_UPDATE: 'true', ZSH_TMUX_AUTOSTART: 'false', ZSH_TMUX_AUTOSTARTED: 'true' },
    });
    let output = '';
    // An interactive shell ignores SIGTERM, and what its startup files left running may hold
    // its output open: past the limit it is killed and not waited for.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      child.stdout.destroy();
      resolve(undefined);
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (data: string) => (output += data));
    child.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve(new RegExp(`${MARK}(.*?)${MARK}`, 's').exec(output)?.[1] || undefined);
    });
  });
}

/** The login shell's folders first, then those the app had that it lacks: each once. */
export function mergedPath(login: string, current: string | undefined): string {
  return [...new Set([...login.split(delimiter), ...(current ?? '').split(delimiter)].filter(Boolean))].join(delimiter);
}
