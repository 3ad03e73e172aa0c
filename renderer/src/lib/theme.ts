// Light or dark, following the OS (prefers-color-scheme). CSS follows by itself through a media
// query; this hook is for what CSS cannot reach (Monaco's theme).
import { useSyncExternalStore } from 'react';

const query = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;

export function useDarkMode(): boolean {
  return useSyncExternalStore(
    (onChange) => {
      query?.addEventListener('change', onChange);
      return () => query?.removeEventListener('change', onChange);
    },
    () => query?.matches ?? false,
  );
}
