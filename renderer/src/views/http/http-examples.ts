// The requests the HTTP view's sidebar offers: the root of any component, and the QR example's
// own requests when the open project is the QR example (or a copy of it, under any folder name).
import type { SettingsView } from '../../api/types.ts';
import type { RequestDraft } from './http-store.ts';

export const ROOT_REQUEST: RequestDraft = { name: 'The component\'s root', method: 'GET', url: '/', headers: [], bodyMode: 'none', bodyText: '', bodyJson: '', form: [] };

const QR_EXAMPLES: RequestDraft[] = [
  {
    name: 'Generate a QR code',
    method: 'POST',
    url: '/qrcode',
    headers: [{ key: 'Content-Type', value: 'application/json', enabled: true }],
    bodyMode: 'json',
    bodyText: '',
    bodyJson: '{\n  "payload": "https://wasmcloud.com"\n}',
    form: [],
  },
  { ...ROOT_REQUEST, name: 'The example UI' },
];

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

/** The requests the sidebar offers: the QR example's own for it, the root for any other project. */
export function examplesFor(qr: boolean): { heading: string; requests: RequestDraft[]; qr: boolean } {
  return qr ? { heading: 'QR example', requests: QR_EXAMPLES, qr: true } : { heading: 'Examples', requests: [ROOT_REQUEST], qr: false };
}
