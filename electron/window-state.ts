// The window's size and position, kept across launches in the user data folder and restored
// only where a display still shows it (a monitor unplugged since must not hide the window).
// Free of Electron, so it is tested as plain Node.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Bounds;
  maximized: boolean;
}

export function windowStateFile(userData: string): string {
  return join(userData, 'window-state.json');
}

/** How much of the window must lie on a display for its position to be kept. */
const VISIBLE = { width: 120, height: 60 };

function overlap(a: Bounds, b: Bounds): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/**
 * The state to restore on displays with these work areas, or only a size (no position: the
 * OS centres the window) when the saved place is off every display, or nothing when the file
 * is missing or not what the app wrote (reported through `warn`).
 */
export async function restoreWindowState(file: string, displays: readonly Bounds[], warn: (text: string) => void): Promise<{ bounds: Partial<Bounds>; maximized: boolean } | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let saved: WindowState;
  try {
    saved = JSON.parse(text) as WindowState;
    const { x, y, width, height } = saved.bounds;
    if (![x, y, width, height].every(Number.isFinite) || width <= 0 || height <= 0) throw new Error('bad bounds');
  } catch {
    warn(`${file} is not a window state this app wrote; the window opens at its default size.`);
    return undefined;
  }
  const maximized = saved.maximized === true;
  const largest = displays.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a), displays[0] ?? saved.bounds);
  const size = { width: Math.min(saved.bounds.width, largest.width), height: Math.min(saved.bounds.height, largest.height) };
  const visible = displays.some((display) => {
    const seen = overlap(saved.bounds, display);
    return seen.width >= VISIBLE.width && seen.height >= VISIBLE.height;
  });
  return { bounds: visible ? { x: saved.bounds.x, y: saved.bounds.y, ...size } : size, maximized };
}

export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state)}\n`);
  await rename(temp, file);
}
