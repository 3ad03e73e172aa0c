/** Bundles electron/main.ts and electron/preload.ts into electron/dist/; resolves with their paths. */
export function buildElectronShell(): Promise<{ main: string; preload: string }>;
