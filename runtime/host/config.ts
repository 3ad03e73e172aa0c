// wasi:config/store@0.2.0-rc.1 and the older wasi:config/runtime@0.2.0-draft: read-only
// values from the project's `dev.host_interfaces` entries for wasi:config.
import type { HostState } from './host-state.ts';

export function configImports(state: HostState) {
  const get = (key: string) => state.config.get(key);
  const getAll = () => [...state.config.entries()];
  return {
    'wasi:config/store': { get, getAll },
    'wasi:config/runtime': { get, getAll },
  };
}
