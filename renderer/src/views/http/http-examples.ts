// The requests the HTTP view's sidebar offers: the root of any component, and the QR example's
// own requests when the open project is the QR example (or a copy of it, under any folder name).
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
 * The QR example is known by the component its config builds (dist/qrcode.wasm), which a copy
 * or `new --example qrcode` keeps whatever its folder is called; before its first build, by
 * the bundled example's folder name.
 */
export function isQrExample(projectName: string | undefined, wasmPaths: readonly string[]): boolean {
  return wasmPaths.some((path) => /(^|[\\/])qrcode\.wasm$/.test(path)) || (wasmPaths.length === 0 && projectName === 'qrcode');
}

/** The requests the sidebar offers: the QR example's own for it, the root for any other project. */
export function examplesFor(qr: boolean): { heading: string; requests: RequestDraft[]; qr: boolean } {
  return qr ? { heading: 'QR example', requests: QR_EXAMPLES, qr: true } : { heading: 'Examples', requests: [ROOT_REQUEST], qr: false };
}
