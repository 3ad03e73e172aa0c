// An ApiError rebuilt on this side of the boundary, so views can `catch` it like any Error and
// still read its code and hint.
import type { ApiError } from './types.ts';

export class StudioApiError extends Error implements ApiError {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(error: ApiError) {
    super(error.message);
    this.name = 'StudioApiError';
    this.code = error.code;
    this.hint = error.hint;
  }

  static from(value: unknown): StudioApiError {
    if (value instanceof StudioApiError) return value;
    if (value && typeof value === 'object' && typeof (value as ApiError).code === 'string' && typeof (value as ApiError).message === 'string') {
      return new StudioApiError(value as ApiError);
    }
    // Electron rethrows IPC errors as plain Errors whose message carries the encoded ApiError.
    if (value instanceof Error) {
      const encoded = /\{.*"code".*\}/s.exec(value.message)?.[0];
      if (encoded) {
        try {
          return StudioApiError.from(JSON.parse(encoded));
        } catch {
          // not JSON after all: fall through to a generic error
        }
      }
      return new StudioApiError({ code: 'internal', message: value.message });
    }
    return new StudioApiError({ code: 'internal', message: String(value) });
  }
}

/** A sentence for a person: the message, then the hint when there is one. */
export function describeError(error: unknown): { message: string; hint?: string; code: string } {
  const e = StudioApiError.from(error);
  return { message: e.message, code: e.code, ...(e.hint ? { hint: e.hint } : {}) };
}
