// The state every host interface of one component instance shares: who the component is,
// its configuration, and where its log lines go. Built by the workload worker.
import type { LogLevel, LogStream } from '../logs/log-bus.ts';
import type { BlobStore } from '../stores/blob-store.ts';
import type { KeyValueStore } from '../stores/key-value-store.ts';
import type { KeyvalueDraft } from './keyvalue.ts';
import type { Volume } from './filesystem.ts';

export interface HostState {
  /** The component's name, used as the log source. */
  readonly componentName: string;
  /** Values for wasi:config, from `dev.host_interfaces` in the project config. */
  readonly config: ReadonlyMap<string, string>;
  /** Environment variables the component sees through wasi:cli/environment. */
  readonly environment: readonly (readonly [string, string])[];
  /** `stream` is set for what the component printed on stdout or stderr. */
  log(level: LogLevel, text: string, stream?: LogStream): void;
  /** Registers work to do when a request ends, e.g. logging an unfinished line. */
  atRequestEnd(callback: () => void): void;
  /** The workload's data, shared with the studio's browsers; absent when none is configured. */
  keyvalue?: KeyValueStore;
  blobstore?: BlobStore;
  /** Which wasi:keyvalue draft the component imports. */
  keyvalueDraft?: KeyvalueDraft;
  /** Host folders preopened for wasi:filesystem (`dev.volumes`). */
  volumes?: readonly Volume[];
}
