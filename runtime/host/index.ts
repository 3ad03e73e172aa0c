// The host interfaces the studio gives components, and the one list that names them. Each
// interface lives in its own module with a factory that returns its part of the import
// object; adding an interface touches that module and this list.
import { cliImports } from './cli.ts';
import { clockImports } from './clocks.ts';
import { configImports } from './config.ts';
import { filesystemImports } from './filesystem.ts';
import type { HostState } from './host-state.ts';
import { httpImports } from './http.ts';
import { outgoingHttpImports } from './outgoing-http.ts';
import { ioImports } from './io.ts';
import { loggingImports } from './logging.ts';
import { randomImports } from './random.ts';
import { keyvalueImports } from './keyvalue.ts';
import { blobstoreImports } from './blobstore.ts';
import { socketsImports } from './sockets.ts';
import { isFolderTrouble } from '../stores/store-error.ts';

export type HostImports = Record<string, Record<string, unknown>>;

export function hostImports(state: HostState): HostImports {
  const reportStoreTrouble = storeTroubleReporter(state);
  return {
    ...ioImports(),
    ...cliImports(state),
    ...clockImports(),
    ...randomImports(),
    ...filesystemImports(state.volumes ?? []),
    ...httpImports(),
    ...outgoingHttpImports(state),
    ...loggingImports(state),
    ...configImports(state),
    ...keyvalueImports(state.keyvalue, state.keyvalueDraft ?? '0.2.0-draft', reportStoreTrouble),
    ...blobstoreImports(state.blobstore, reportStoreTrouble, state),
    ...socketsImports(state),
  };
}

/**
 * Logs the store errors a component gets that come from the data folder or the machine: the
 * component may swallow them, or pass on only `access-denied`, which names no file and no fix.
 */
function storeTroubleReporter(state: HostState): (err: unknown) => void {
  return (err) => {
    if (isFolderTrouble(err)) state.log('warn', err.hint ? `${err.message} ${err.hint}` : err.message);
  };
}

/** Which versions of each interface the studio implements, as a test on the version string. */
interface Provided {
  versions: string;
  accepts(version: string | undefined): boolean;
}

const wasiP2: Provided = { versions: '0.2.0 to 0.2.x', accepts: (v) => v === undefined || /^0\.2\.\d+$/.test(v) };
const exactly = (...versions: string[]): Provided => ({
  versions: versions.join(' or '),
  accepts: (v) => v === undefined || versions.includes(v),
});

// Interfaces outside WASI 0.2 carry their own version lines.
const VERSIONS: Record<string, Provided> = {
  'wasi:logging/logging': exactly('0.1.0-draft'),
  'wasi:config/store': exactly('0.2.0-rc.1', '0.2.0-draft'),
  'wasi:config/runtime': exactly('0.2.0-draft'),
  'wasi:keyvalue/store': exactly('0.2.0-draft', '0.2.0-draft2'),
  'wasi:keyvalue/atomics': exactly('0.2.0-draft', '0.2.0-draft2'),
  'wasi:keyvalue/batch': exactly('0.2.0-draft', '0.2.0-draft2'),
  'wasi:blobstore/types': exactly('0.2.0-draft'),
  'wasi:blobstore/container': exactly('0.2.0-draft'),
  'wasi:blobstore/blobstore': exactly('0.2.0-draft'),
};

/** The wasi:keyvalue draft a component imports (jco's import keys cannot tell them apart). */
export function keyvalueDraftOf(imports: readonly string[]): '0.2.0-draft' | '0.2.0-draft2' {
  return imports.some((name) => name.startsWith('wasi:keyvalue/') && name.endsWith('@0.2.0-draft2')) ? '0.2.0-draft2' : '0.2.0-draft';
}

let providedKeys: Set<string> | undefined;

function provided(key: string): Provided | undefined {
  providedKeys ??= new Set(
    Object.keys(hostImports({ componentName: '', config: new Map(), environment: [], log: () => {}, atRequestEnd: () => {} })),
  );
  return providedKeys.has(key) ? (VERSIONS[key] ?? wasiP2) : undefined;
}

export interface MissingImport {
  /** e.g. `example:missing/thing@1.2.3` */
  name: string;
  /** What the studio has instead, when it has the interface at another version. */
  provided?: string;
}

/** Splits `ns:pkg/iface@1.2.3` into the key jco uses and the version. */
export function splitVersion(name: string): { key: string; version: string | undefined } {
  const at = name.indexOf('@');
  return at < 0 ? { key: name, version: undefined } : { key: name.slice(0, at), version: name.slice(at + 1) };
}

/** The imports in `imports` that the studio cannot satisfy. */
export function missingImports(imports: readonly string[]): MissingImport[] {
  const missing: MissingImport[] = [];
  for (const name of imports) {
    const { key, version } = splitVersion(name);
    const have = provided(key);
    if (!have) missing.push({ name });
    else if (!have.accepts(version)) missing.push({ name, provided: `${key}@${have.versions}` });
  }
  return missing;
}
