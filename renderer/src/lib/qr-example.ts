// Whether the open project is the bundled QR example (or a copy of it, under any folder name):
// the views that speak of its requests and data speak of them only then.
import type { ProjectView, SettingsView, WorkloadView } from '../api/types.ts';

/**
 * The QR example is known by the example the studio says the project was copied from (its WIT
 * package), else by the component its config builds (dist/qrcode.wasm), which a copy keeps
 * whatever its folder is called: the running workloads' files, or before the first build the
 * config's `build.component_path`, or failing both the bundled example's folder name.
 */
export function isQrExample(projectName: string | undefined, wasmPaths: readonly string[], componentPath?: string, example?: string): boolean {
  if (example === 'qrcode') return true;
  const isQrFile = (path: string) => /(^|[\\/])qrcode\.wasm$/.test(path);
  if (wasmPaths.length > 0) return wasmPaths.some(isQrFile);
  return componentPath !== undefined ? isQrFile(componentPath) : projectName === 'qrcode';
}

/** `build.component_path` of the open project's config, when it has one. */
export function configuredComponentPath(settings: SettingsView | undefined): string | undefined {
  const value = settings?.config?.values.find((v) => v.key === 'build.component_path')?.value;
  if (value === undefined) return undefined;
  try {
    const path: unknown = JSON.parse(value);
    return typeof path === 'string' ? path : undefined;
  } catch {
    return undefined; // not JSON after all: this runs while rendering, where a throw blanks the view
  }
}

/** The open project is the QR example: a selector, so a view re-renders only when that changes. */
export function openProjectIsQr(s: { project: ProjectView | undefined; workloads: readonly WorkloadView[]; settings: SettingsView | undefined }): boolean {
  return isQrExample(s.project?.name, s.workloads.flatMap((w) => (w.wasmPath ? [w.wasmPath] : [])), configuredComponentPath(s.settings), s.project?.example);
}
