// A component made ready to instantiate: read, transpiled (cached by hash), its WIT world
// known, and its core modules compiled with the memory limit applied. Threads of any kind
// (request workers, services) instantiate prepared components; this module starts none.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ok, type Result } from '../errors.ts';
import { readComponentFile } from '../components/component-file.ts';
import { componentSkeleton } from '../components/component-skeleton.ts';
import { mutableGlobalExports } from '../components/global-exports.ts';
import { memoryCap } from '../components/memory-limit.ts';
import { inComponentOrder, transpile } from '../components/transpiler.ts';
import { spliced } from '../components/wasm-binary.ts';
import type { WitWorld } from '../components/wit-world.ts';
import { keyvalueDraftOf } from '../host/index.ts';
import type { KeyvalueDraft } from '../host/keyvalue.ts';

export interface ComponentSpec {
  /** Unique within a workload: the project's name, a dev.components name, the service's. */
  name: string;
  wasmPath: string;
  /** Where the config names it, said before its errors: `dev.components[0] ("api")`, `dev.service_file`. */
  origin?: string;
}

export type StartPhase = 'reading' | 'transpiling' | 'compiling' | 'starting';

export interface PreparedComponent {
  name: string;
  wasmPath: string;
  hash: string;
  world: WitWorld;
  /** file: URL of the transpiled glue module. */
  glueUrl: string;
  /** Compiled core modules by file name, shared by every thread that instantiates it. */
  coreModules: Record<string, WebAssembly.Module>;
  /** Every mutable global of its core modules is exported (see components/global-exports.ts). */
  restorable: boolean;
  keyvalueDraft: KeyvalueDraft;
  transpileMs: number;
  transpileCached: boolean;
}

/** Prepares one component; every failure is a value that names it. */
export async function prepareComponent(spec: ComponentSpec, cacheDir: string, memoryLimitBytes: number, onPhase: (phase: StartPhase) => void = () => {}): Promise<Result<PreparedComponent>> {
  onPhase('reading');
  const file = await readComponentFile(spec.wasmPath);
  if (!file.ok) return file;

  onPhase('transpiling');
  const transpileStarted = performance.now();
  // jco's output holds the very core modules inside the component, in the same order: they
  // compile while the transpile runs, instead of being read back and compiled after it.
  const embedded = embeddedCoreModules(file.value.bytes);
  let restorable = true;
  const compileCore = (bytes: Uint8Array<ArrayBuffer>) => {
    const opened = studioCoreModule(bytes, memoryLimitBytes);
    restorable &&= opened.complete;
    return WebAssembly.compile(opened.module);
  };
  const compiling = embedded && Promise.all(embedded.map(compileCore));
  compiling?.catch(() => {}); // a compile error is reported below, after the transpile's own
  const transpiled = await transpile(file.value, cacheDir);
  if (!transpiled.ok) return transpiled;
  const transpileMs = performance.now() - transpileStarted;

  onPhase('compiling');
  const coreModules: Record<string, WebAssembly.Module> = {};
  try {
    const names = inComponentOrder(transpiled.value.coreModules);
    const compiled = compiling && names.length === embedded.length ? await compiling : undefined;
    for (const [i, name] of names.entries()) {
      // readFile's buffer is never shared memory, whatever its declared type says.
      coreModules[name] = compiled?.[i] ?? (await compileCore((await readFile(join(transpiled.value.dir, name))) as Uint8Array<ArrayBuffer>));
    }
  } catch (err) {
    const message = (err as Error).message;
    return fail('compile-failed', `Could not compile ${spec.name}: ${message}.`, compileHint(message));
  }
  const { world } = transpiled.value;
  return ok({
    name: spec.name,
    wasmPath: spec.wasmPath,
    hash: file.value.hash,
    world,
    glueUrl: transpiled.value.glueUrl,
    coreModules,
    restorable,
    keyvalueDraft: keyvalueDraftOf(world.imports),
    transpileMs,
    transpileCached: transpiled.value.cached,
  });
}

/**
 * A core module as the studio compiles it, in one copy of its bytes: its memories capped
 * (memory-limit.ts) and its mutable globals exported (global-exports.ts); `complete` is false
 * when some global could not be, and the instance then has no snapshot.
 */
export function studioCoreModule(bytes: Uint8Array<ArrayBuffer>, memoryLimitBytes: number): { module: Uint8Array<ArrayBuffer>; complete: boolean } {
  const globals = mutableGlobalExports(bytes);
  const cap = memoryCap(bytes, memoryLimitBytes);
  return { module: spliced(bytes, [globals.splice, cap].filter((change) => change !== undefined)), complete: globals.complete };
}

/** The core modules inside a component, or undefined when it cannot be parsed (jco will say why). */
function embeddedCoreModules(bytes: Uint8Array): Uint8Array<ArrayBuffer>[] | undefined {
  try {
    // Views into the bytes of a file read from disk: never shared memory.
    return componentSkeleton(bytes).coreModules as Uint8Array<ArrayBuffer>[];
  } catch {
    return undefined;
  }
}

/**
 * What to do about a core module V8 would not compile. V8 names a proposal it has behind a
 * flag ("enable via --experimental-wasm-…"); anything else is a module that is not valid
 * WebAssembly, most often a file damaged on the way (a cut or changed copy).
 */
export function compileHint(message: string): string {
  if (/--experimental-wasm-|not supported|unsupported/i.test(message)) {
    return `The component uses a WebAssembly feature this Node (${process.version}) does not turn on: build it without that feature, or run the studio on a newer Node.`;
  }
  return 'A core module inside the component is not valid WebAssembly: the file may be damaged (a copy cut short or changed on the way) or its toolchain wrote a bad module. Build or copy it again; `wasm-tools validate` on the file says where it goes wrong.';
}
