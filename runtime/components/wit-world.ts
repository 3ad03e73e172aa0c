// The WIT world of a component, in a form the CLI and the UI can show and the runtime can
// check: the interfaces and functions it imports and exports, and the world as WIT text.

export interface WitWorld {
  /** Interface names with versions (`wasi:http/types@0.2.0`) and plain function names. */
  imports: string[];
  exports: string[];
  /** The world printed as WIT, for people. */
  text: string;
}

/**
 * Reads imports and exports from the world as wasm-tools prints it (`world root { import
 * wasi:io/error@0.2.0; export add: func(...); }`), which keeps versions that jco's own list
 * of imports drops.
 */
export function parseWorld(text: string): WitWorld {
  const imports: string[] = [];
  const exports: string[] = [];
  const body = /^world [^{]*\{\n([\s\S]*?)^\}/m.exec(text)?.[1] ?? '';
  for (const match of body.matchAll(/^ {2}(import|export) ([^\s;{]+?)(?:;|: | \{)/gm)) {
    (match[1] === 'import' ? imports : exports).push(match[2]!);
  }
  return { imports, exports, text };
}

/** The incoming-handler export, if the component serves HTTP. */
export function httpHandlerExport(world: WitWorld): string | undefined {
  return world.exports.find((e) => e.startsWith('wasi:http/incoming-handler'));
}

/**
 * A command-style service: it exports wasi:cli/run and no HTTP handler. A .wasm file like
 * that runs as its workload's service, in a dev session and in a deployment alike.
 */
export function isServiceOnly(world: WitWorld): boolean {
  return world.exports.some((e) => e === 'wasi:cli/run' || e.startsWith('wasi:cli/run@')) && !httpHandlerExport(world);
}

/** A one-paragraph summary for a terminal. */
export function summarizeWorld(world: WitWorld): string {
  const list = (items: string[]) => (items.length ? items.join(', ') : 'nothing');
  return `exports ${list(world.exports)}; imports ${list(world.imports)}`;
}
