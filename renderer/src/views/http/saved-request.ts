// The HTTP view's draft and history as read back from the saved UI state (lib/saved-state.ts
// says why it is checked). A draft needs its method and URL to be one; its other fields, and
// the pairs of its tables, fall back to a fresh request's when they are not of the right type.
// A history entry without its id, time or request is dropped: the rest of the history stays.
import { booleanOr, fieldsOf, numberOrUndefined, stringOr, stringOrUndefined } from '../../lib/saved-state.ts';
import type { BodyMode, HistoryEntry, Pair, RequestDraft } from './http-store.ts';

/** Every body type, so that a new one is known here too (the compiler says when one is missing). */
const BODY_MODES = { none: true, text: true, json: true, form: true, file: true } satisfies Record<BodyMode, true>;
const isBodyMode = (value: unknown): value is BodyMode => typeof value === 'string' && Object.hasOwn(BODY_MODES, value);

function savedPairs(value: unknown): Pair[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    const pair = fieldsOf(item);
    if (!pair || typeof pair.key !== 'string' || typeof pair.value !== 'string') return [];
    return [{ key: pair.key, value: pair.value, enabled: booleanOr(pair.enabled, true) }];
  });
}

/** The saved draft as a request, or undefined when it is not one. Files are never saved, so none comes back. */
export function savedDraft(value: unknown): RequestDraft | undefined {
  const draft = fieldsOf(value);
  if (!draft || typeof draft.method !== 'string' || !draft.method.trim() || typeof draft.url !== 'string') return undefined;
  const name = stringOrUndefined(draft.name);
  return {
    method: draft.method,
    url: draft.url,
    headers: savedPairs(draft.headers),
    bodyMode: isBodyMode(draft.bodyMode) ? draft.bodyMode : 'none',
    bodyText: stringOr(draft.bodyText, ''),
    bodyJson: stringOr(draft.bodyJson, ''),
    form: savedPairs(draft.form),
    ...(name !== undefined ? { name } : {}),
  };
}

/** The saved history's well-formed entries, in order; each id once, as the list keys its rows by it. */
export function savedHistory(value: unknown): HistoryEntry[] {
  if (!Array.isArray(value)) return [];
  const ids = new Set<string>();
  return value.flatMap((item: unknown) => {
    const entry = fieldsOf(item);
    const request = savedDraft(entry?.request);
    const at = numberOrUndefined(entry?.at);
    if (!entry || !request || typeof entry.id !== 'string' || ids.has(entry.id) || at === undefined) return [];
    ids.add(entry.id);
    const errorCode = stringOrUndefined(entry.errorCode);
    const errorHint = stringOrUndefined(entry.errorHint);
    return [
      {
        id: entry.id,
        at,
        request,
        status: numberOrUndefined(entry.status),
        timeMs: numberOrUndefined(entry.timeMs),
        error: stringOrUndefined(entry.error),
        ...(errorCode !== undefined ? { errorCode } : {}),
        ...(errorHint !== undefined ? { errorHint } : {}),
      },
    ];
  });
}
