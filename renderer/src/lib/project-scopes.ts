// What the views show belongs to one opening of one project. The studio can open another at
// any time (Settings → Open or Create, another window on the same studio), and every view
// that holds a project's state must then start again: reset at once (nothing of the old
// project stays on screen) and load the new project's state once the studio has read it
// (ProjectView.ready). This module is the one place that decides when; the views say only how
// to reset and how to load.
//
// It also keeps an answer from landing in the wrong project: a view makes its calls through its
// scope, and the answer to a call made before the scope changed is dropped (the promise never
// settles, so nothing after the `await` runs; the view was reset and loads afresh anyway).
//
// Two scopes: `project` follows the opening (ProjectView.session): traffic, checks, the HTTP
// view's draft and history, the deploy form. `data` also follows the data folders, which a
// config change can move within one opening: the key-value and blob browsers, snapshots.
// After a reconnect every view loads again without a reset (events may have been missed).
//
// No import of the API client here, so it runs in Node for its tests; stores/project-scope.ts
// binds it to the client.
import type { CommandArgs, CommandName, CommandResult, ProjectView } from '../api/types.ts';

export type Call = <C extends CommandName>(command: C, args: CommandArgs<C>) => Promise<CommandResult<C>>;

export interface ScopedView {
  /** Back to the state of a view that has loaded nothing: called the moment its project changes. */
  reset(): void;
  /** Loads the project's state: when it is ready, after a switch, and after a reconnect. */
  load(project: ProjectView): void;
}

export interface ProjectScope {
  /** Registers a view: it loads at once when the project is ready, else as soon as it is. */
  follow(view: ScopedView): void;
  /** The Studio API's call, whose answer (or failure) is dropped when the scope changed before it came. */
  call: Call;
}

export interface ProjectScopes {
  project: ProjectScope;
  data: ProjectScope;
  /**
   * Hands over a ProjectView the client got (an answer to project.get, a 'project.changed').
   * `reconnected`: the connection was down before it; the views load again even if nothing changed.
   */
  seen(project: ProjectView, reconnected?: boolean): void;
}

/** What a scope's state depends on; undefined while the project is not ready, when there is nothing to load. */
const KEYS: Record<keyof Omit<ProjectScopes, 'seen'>, (project: ProjectView) => string | undefined> = {
  project: (p) => (p.ready ? p.session : undefined),
  data: (p) => (p.ready ? `${p.session}\n${p.keyvaluePath}\n${p.blobstorePath}` : undefined),
};

export function projectScopes(call: Call): ProjectScopes {
  let latest: ProjectView | undefined;

  const scope = (keyOf: (project: ProjectView) => string | undefined) => {
    let key: string | undefined;
    /** Bumped whenever the key changes: a call made under another generation answers nobody. */
    let generation = 0;
    const views = new Set<ScopedView>();
    const loadAll = (project: ProjectView) => {
      for (const view of views) view.load(project);
    };
    const api: ProjectScope = {
      follow(view) {
        views.add(view);
        if (key !== undefined && latest) view.load(latest);
      },
      call(command, args) {
        const at = generation;
        return new Promise((resolve, reject) => {
          call(command, args).then(
            (result) => at === generation && resolve(result),
            (error: unknown) => at === generation && reject(error),
          );
        });
      },
    };
    const seen = (project: ProjectView, reconnected: boolean) => {
      const next = keyOf(project);
      if (next === key) {
        if (reconnected && next !== undefined) loadAll(project);
        return;
      }
      const had = key;
      key = next;
      generation++;
      if (had !== undefined) for (const view of views) view.reset();
      if (next !== undefined) loadAll(project);
    };
    return { api, seen };
  };

  const project = scope(KEYS.project);
  const data = scope(KEYS.data);
  return {
    project: project.api,
    data: data.api,
    seen(view, reconnected = false) {
      latest = view;
      project.seen(view, reconnected);
      data.seen(view, reconnected);
    },
  };
}
