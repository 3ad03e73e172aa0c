// Changes to jco's generated glue, each found in a profile of a served component. The cache
// keeps the tuned glue, so bump GLUE_FORMAT in transpiler.ts when this changes. Every change
// checks that the code it rewrites is there, shaped as expected, and leaves the glue as jco
// wrote it otherwise: a jco that generates other code is slower, never wrong.

/** `table._createdReps.add(rep);` in jco's rscTableCreateOwn. */
const CREATED_REPS_ADD = /\b[\w$]+\._createdReps\.add\([\w$]+\);/g;
/** Where the set is read: a composed component's glue, handing a borrow back to the component that defines the resource. */
const CREATED_REPS_READ = '._createdReps.has(';
const DEBUG_CHECK = 'if (!globalThis?.process?.env?.JCO_DEBUG) { return; }';
/** jco's table of the host objects behind the handles a component holds of one imported resource type. */
const CAPTURE_TABLE = /const (captureTable\d+)= new Map\(\);/g;
const INSTANTIATE = 'export function instantiate(getCoreModule, imports, instantiateCore';
/** The import key under which a worker hands the glue its ResourceTables hook (workloads/resource-tables.ts). */
export const RESOURCE_TABLES_IMPORT = 'studio:resource-tables';

/**
 * - jco checks process.env.JCO_DEBUG on every debug-log call, several times per host call, and
 *   an environment lookup is slow in Node: reading it once takes about a quarter off a small
 *   component's call.
 * - It adds every resource it creates (each request's fields, bodies, streams) to a set per
 *   handle table that nothing reads or empties, unless components inside one pass resources to
 *   each other (then the set is kept): a worker serving for hours held millions of entries,
 *   and paid for them in each creation and each garbage collection.
 * - Host calls of components that never use async skip the task bookkeeping (see leanHostCalls).
 * - Each capture table is shown to the worker as it is created (through the instantiate
 *   call's imports), so that the host objects a component never drops can be let go after
 *   its request: componentize-js components never drop the request they are handed, and a
 *   worker kept every request it ever served, about 1 KB each.
 */
export function tuneGlue(glue: string): string {
  let tuned = glue.includes(CREATED_REPS_READ) ? glue : glue.replaceAll(CREATED_REPS_ADD, '');
  // The tables are declared inside instantiate, where its imports are in scope by that name.
  if (tuned.includes(INSTANTIATE)) {
    const hook = `imports[${JSON.stringify(RESOURCE_TABLES_IMPORT)}]`;
    tuned = tuned.replace(CAPTURE_TABLE, (declaration, table: string) => `${declaration} ${hook}?.captured(${table});`);
  }
  if (tuned.includes(DEBUG_CHECK)) {
    tuned = `const STUDIO_JCO_DEBUG = Boolean(globalThis?.process?.env?.JCO_DEBUG);\n${tuned.replaceAll(DEBUG_CHECK, 'if (!STUDIO_JCO_DEBUG) { return; }')}`;
  }
  return leanHostCalls(tuned) ?? tuned;
}

/** Marks of the component model's async (a lift or lower with it): such glue keeps its bookkeeping. */
const ASYNC_MARKS = ['isAsync: true', 'isManualAsync: true', 'funcTypeIsAsync: true'];
const HOST_TRAMPOLINE = 'const hostProvided = true;';
/** From a host trampoline's mark to the end of its task set-up: a host task, found parent and subtask, entered. */
const HOST_TASK_SETUP = /const hostProvided = true;[\s\S]*?taskCreation: \{[\s\S]*?const started = task\.enterSync\(\);/g;
/** The host call inside a trampoline, wrapped in the current-task record of that host task. */
const HOST_TASK_SCOPE = /_withGlobalCurrentTaskMeta\(\{\s*componentIdx: task\.componentIdx\(\),\s*taskID: task\.id\(\),\s*fn: \(\) => _trackHostOperation\(/g;
/** The plain branch of each import's binding (the other is for imports marked manually async). */
const IMPORT_BINDING = /\) : _lowerImportBackwardsCompat\.bind\(\s*null,/g;
const LOWER_IMPORT = 'function _lowerImportBackwardsCompat(args) {';

/**
 * jco 0.15's glue runs every host call through the component model's async task machinery,
 * even for a component that never uses async: a subtask when the core module calls out
 * (`_lowerImportBackwardsCompat`), then a host task in the trampoline, each with promises,
 * closures and lookups in the task lists, and the result handed back through them. In a
 * profile of the QR example that bookkeeping took a fifth of a worker's time, nearly half as
 * much as the component's own code. In glue with no async lift or lower anywhere, none of it
 * can be observed: a sync call cannot block, suspend or be cancelled.
 * So each import calls its trampoline directly (after the may-leave check the component
 * model requires), the trampoline's host task is an inert stand-in, and the trampoline's own
 * return value (the same one the subtask carried) goes back to the core module. Export calls
 * keep their task: one per request. Undefined when the glue is not shaped as expected.
 */
export function leanHostCalls(glue: string): string | undefined {
  if (ASYNC_MARKS.some((mark) => glue.includes(mark))) return undefined;
  const trampolines = glue.split(HOST_TRAMPOLINE).length - 1;
  if (trampolines === 0 || glue.split(LOWER_IMPORT).length !== 2) return undefined;
  let setups = 0;
  let misshapen = false;
  let lean = glue.replace(HOST_TASK_SETUP, (setup) => {
    setups++;
    // A match running on into the next function means a trampoline of another shape.
    if (setup.split(HOST_TRAMPOLINE).length !== 2 || setup.includes('function')) misshapen = true;
    return 'const task = STUDIO_HOST_TASK;';
  });
  let scopes = 0;
  lean = lean.replace(HOST_TASK_SCOPE, () => {
    scopes++;
    return 'studioHostCall({ fn: () => _trackHostOperation(';
  });
  let bindings = 0;
  lean = lean.replace(IMPORT_BINDING, () => {
    bindings++;
    return ') : studioSyncImport(';
  });
  if (misshapen || setups !== trampolines || scopes !== trampolines || bindings !== trampolines) return undefined;
  lean = lean.replace(LOWER_IMPORT, `${SYNC_IMPORT}\n  ${LOWER_IMPORT}`);
  return `${HOST_TASK}\n${lean}`;
}

/** Module scope: what a trampoline asks of its host task, doing nothing. */
const HOST_TASK = `const STUDIO_HOST_TASK = Object.freeze({
  id: () => 0, componentIdx: () => -1, getParentSubtask: () => undefined,
  resolve() {}, reject() {}, setErrored() {}, exit() {},
});
const studioHostCall = (call) => call.fn();`;

/** Beside _lowerImportBackwardsCompat (it needs _checkMayLeave of the same scope): the function the core module imports. */
const SYNC_IMPORT = `function studioSyncImport({ componentIdx, importFn }) {
    return function (...params) {
      _checkMayLeave(componentIdx);
      return importFn(...params);
    };
  }`;
