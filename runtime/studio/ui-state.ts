// The UI's own state that must outlive a launch (the HTTP playground's history and draft).
// It lives in one JSON file in the user config folder, not in the browser's storage: in
// browser mode the bridge's port, and so the page's origin, changes with every launch.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { studioConfigDir } from '../cache-dir.ts';

/** A value above this size is refused: the file is read whole at every launch. */
export const MAX_UI_STATE_BYTES = 4 * 2 ** 20;

/** A value the UI state does not take (too large, or nested too deeply to write out): the caller's to fix, not the disk's. */
export class UiStateRefused extends Error {}

export class UiStateFile {
  private values: Record<string, unknown> | undefined;
  private readonly path: string;

  constructor(dir = studioConfigDir()) {
    this.path = join(dir, 'ui-state.json');
  }

  get(key: string): unknown {
    // Own keys only: `constructor` or `__proto__` name nothing the UI saved.
    const values = this.load();
    return Object.hasOwn(values, key) ? (values[key] ?? null) : null;
  }

  set(key: string, value: unknown): void {
    const values = { ...this.load(), [key]: value };
    let text: string;
    try {
      text = JSON.stringify(values);
    } catch (err) {
      if (err instanceof RangeError) throw new UiStateRefused(`the value of ${key} is nested too deeply to write out`);
      throw new UiStateRefused(`the value of ${key} cannot be written as JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    if (text.length > MAX_UI_STATE_BYTES) throw new UiStateRefused(`the UI state would grow past ${MAX_UI_STATE_BYTES} bytes`);
    // Only this user may read it: the playground's history keeps request headers (an
    // Authorization header among them) and bodies.
    mkdirSync(join(this.path, '..'), { recursive: true, mode: 0o700 });
    // Temp file and rename: a crash mid-write leaves the old state, not a torn one.
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, this.path);
    this.values = values;
  }

  private load(): Record<string, unknown> {
    if (this.values) return this.values;
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.path, 'utf8'));
      this.values = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      // Missing or unreadable: start empty; the next set writes a good file.
      this.values = {};
    }
    return this.values;
  }
}
