// Keyboard shortcuts, in one table: the help overlay and the tooltips read it, so what is
// shown is what works.
import { isMac, modKey, VIEWS } from '../stores/ui-store.ts';

export interface Shortcut {
  keys: string;
  what: string;
  where: string;
}

export const viewShortcut = (index: number) => `${modKey}+${index + 1}`;

export const SHORTCUTS: Shortcut[] = [
  ...VIEWS.map((v, i) => ({ keys: viewShortcut(i), what: `Go to ${v.label}`, where: 'Anywhere' })),
  { keys: '?', what: 'Show or hide this help', where: 'Anywhere outside a text field' },
  { keys: 'Esc', what: 'Close a dialog or this help', where: 'Anywhere' },
  { keys: '↑/↓', what: 'Move through the list (also Home, End, PageUp, PageDown)', where: 'Keys, objects, requests, log lines' },
  { keys: '←/→', what: 'Pick the previous or next tab or option (also Home, End)', where: 'Tabs, option groups' },
  { keys: 'Enter', what: 'Open the outlined row', where: 'Keys, objects, requests, log lines' },
  { keys: 'Space', what: 'Tick or untick the outlined row', where: 'Blobs, Traffic' },
  { keys: `${modKey}+Enter`, what: 'Send the request', where: 'HTTP' },
  { keys: 'Esc', what: 'Stop waiting for the request out', where: 'HTTP' },
  { keys: 'Esc', what: 'Close the Sources menu', where: 'Logs' },
  { keys: `${modKey}+F`, what: 'Search the logs', where: 'Logs' },
  { keys: 'End', what: 'Follow new log lines again', where: 'Logs' },
  { keys: `${modKey}+S`, what: 'Save the value or check file being edited', where: 'Key-value, Traffic checks' },
  { keys: `${modKey}+Enter`, what: 'Take the snapshot (Enter alone does it in the name)', where: 'Take snapshot dialog' },
  { keys: `${modKey}+Shift+B`, what: 'Rebuild the project', where: 'Anywhere' },
  // Monaco's own binding: Tab indents in an editor until this is pressed.
  { keys: isMac ? 'Ctrl+Shift+M' : 'Ctrl+M', what: 'Make Tab move focus out of the editor instead of indenting (again: back)', where: 'Code editors' },
];

/** Ctrl on Windows and Linux, Cmd on macOS. */
export function isMod(e: KeyboardEvent | React.KeyboardEvent): boolean {
  return isMac ? e.metaKey : e.ctrlKey;
}

export function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) || !!el.closest('.monaco-editor');
}
