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

/** The requests the sidebar offers: the QR example's own for it, the root for any other project. */
export function examplesFor(qr: boolean): { heading: string; requests: RequestDraft[]; qr: boolean } {
  return qr ? { heading: 'QR example', requests: QR_EXAMPLES, qr: true } : { heading: 'Examples', requests: [ROOT_REQUEST], qr: false };
}
