// The UI's own state that must outlive a launch (the HTTP playground's history and draft).
// It lives in one JSON file in the user config folder, not in the browser's storage: in
// browser mode the bridge's port, and so the page's origin, changes with every launch.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { studioConfigDir } from '../cache-dir.ts';

/** A value above this size is refused: the file is read whole at every launch. */
export const MAX_UI_STATE_BYTES = 4 * 2 ** 20;

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
    const text = JSON.stringify(values);
    if (text.length > MAX_UI_STATE_BYTES) throw new Error(`the UI state would grow past ${MAX_UI_STATE_BYTES} bytes`);
    mkdirSync(join(this.path, '..'), { recursive: true });
    // Temp file and rename: a crash mid-write leaves the old state, not a torn one.
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, text);
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
