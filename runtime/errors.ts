// Errors as values. Every failure a person may see carries a stable code, a sentence that
// names the problem, and a hint that names the fix. Stack traces stay in the log.

export interface StudioError {
  code: string;
  message: string;
  hint?: string;
}

export type Result<T, E = StudioError> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

export function fail(code: string, message: string, hint?: string): { ok: false; error: StudioError } {
  return { ok: false, error: hint === undefined ? { code, message } : { code, message, hint } };
}

/** A thrown StudioError, for the few places where a throw crosses an API we do not own. */
export class StudioFailure extends Error {
  constructor(readonly error: StudioError) {
    super(error.hint ? `${error.message} ${error.hint}` : error.message);
    this.name = 'StudioFailure';
  }
}

/** The message of anything thrown, without its stack. */
export function messageOf(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  try {
    return JSON.stringify(thrown);
  } catch {
    return String(thrown);
  }
}

/** Formats an error as one or two lines for a terminal or a log record. */
export function describe(error: StudioError): string {
  return error.hint ? `${error.message}\n  hint: ${error.hint}` : error.message;
}
