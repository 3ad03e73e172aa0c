// Reading back the UI's saved state (ui.state, and the localStorage copy): what comes back is
// whatever ui-state.json holds, which an older build, a hand edit or a torn copy may have left,
// not what this build would save. The stores check it field by field with these and put their
// default in place of a field of the wrong type, so a bad value costs that value, not the view.

/** `value` as an object's fields, or undefined when it is none (null, an array, a string...). */
export function fieldsOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

export function booleanOr(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

/** A finite number, or undefined for anything else (a number written as a string included). */
export function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
