// A path a person typed or pasted into the UI (Open, New project), made absolute.
//
// The studio's working folder means nothing to someone using the app (the desktop app's is
// often `/`), so a relative path starts next to the open project, where its sibling projects
// are; `~` is the home folder, as in a shell. Pasting from a terminal often brings quotes or
// a trailing space along; they are not part of any path the user meant.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export function resolveTypedPath(typed: string, base: string, home = homedir()): string {
  let text = typed.trim();
  const quote = text[0];
  if (text.length >= 2 && (quote === '"' || quote === "'") && text.endsWith(quote)) text = text.slice(1, -1);
  if (text === '~') return home;
  if (text.startsWith('~/') || text.startsWith('~\\')) return join(home, text.slice(2));
  return isAbsolute(text) ? resolve(text) : resolve(base, text);
}
