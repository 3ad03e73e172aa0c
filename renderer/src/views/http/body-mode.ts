// What a request's body type implies, and what switching it changes. A Content-Type header that
// only said what the old body type was (an example's, or an imported request's) would go on
// claiming it: a switch drops it, so the new type's own applies, as for a fresh request. One the
// user wrote (another type) stays. The JSON and the text bodies are kept apart, so a switch
// between them takes the text along when the other is empty: nothing typed is lost or left
// behind, and Text never sends 0 bytes after JSON.
import type { BodyFile, BodyMode, RequestDraft } from './http-store.ts';

/** The Content-Type a body of this type is sent with, when the headers name none. */
export function impliedContentType(mode: BodyMode, file: BodyFile | undefined): string | undefined {
  switch (mode) {
    case 'none':
      return undefined;
    case 'text':
      return 'text/plain; charset=utf-8';
    case 'json':
      return 'application/json';
    case 'form':
      return 'application/x-www-form-urlencoded';
    case 'file':
      return file?.type || 'application/octet-stream';
  }
}

/** The media type alone (`text/plain` of `Text/Plain; charset=utf-8`), to compare two Content-Types. */
function mediaType(value: string): string {
  return value.split(';')[0]!.trim().toLowerCase();
}

/** The draft with its body of type `mode`, its Content-Type and text following (see above). */
export function withBodyMode(draft: RequestDraft, mode: BodyMode): RequestDraft {
  if (mode === draft.bodyMode) return draft;
  const implied = impliedContentType(draft.bodyMode, draft.file);
  const headers = draft.headers.filter((h) => !(h.key.trim().toLowerCase() === 'content-type' && implied !== undefined && mediaType(h.value) === mediaType(implied)));
  const next: RequestDraft = { ...draft, bodyMode: mode, headers };
  if (mode === 'text' && draft.bodyMode === 'json' && !draft.bodyText) next.bodyText = draft.bodyJson;
  if (mode === 'json' && draft.bodyMode === 'text' && !draft.bodyJson) next.bodyJson = draft.bodyText;
  return next;
}
