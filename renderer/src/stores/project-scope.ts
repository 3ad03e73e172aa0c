// The views' project scopes (lib/project-scopes.ts says what they do), bound to the Studio API
// client. The studio store hands over every ProjectView it gets; each view's store follows the
// scope its state belongs to and makes its calls through it.
import { studio } from '../api/client.ts';
import { projectScopes } from '../lib/project-scopes.ts';

const scopes = projectScopes((command, args) => studio.call(command, args));

/** State of the project opened: traffic, checks, the HTTP view's draft and history, the deploy form. */
export const projectScope = scopes.project;
/** State of the project's data folders: keys, objects, snapshots. */
export const dataScope = scopes.data;
export const projectSeen = scopes.seen;
