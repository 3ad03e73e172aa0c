// The IPC channel names the main process and the preload agree on, and what a call answers.
// Types and constants only: both bundles include this file.
import type { ApiError, EventName } from '../runtime/studio/api.ts';

/** Renderer to main: `invoke(CALL_CHANNEL, command, args)`, answered with a CallAnswer. */
export const CALL_CHANNEL = 'studio:call';
/** Main to renderer: every Studio API event, as an EventMessage. */
export const EVENT_CHANNEL = 'studio:event';

/**
 * A command's outcome. Handlers answer errors as values instead of throwing: Electron turns
 * a thrown error into a bare message, and the ApiError's code and hint would be lost.
 */
export type CallAnswer = { ok: true; result: unknown } | { ok: false; error: ApiError };

export interface EventMessage {
  event: EventName;
  payload: unknown;
}

/** Renderer to main: the path of a folder or file dropped on the window, to open as the project. */
export const OPEN_DROPPED_CHANNEL = 'studio:open-dropped';
