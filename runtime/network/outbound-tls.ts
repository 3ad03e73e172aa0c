// Which certificate authorities outbound HTTPS trusts: the system's, plus the project's
// `outbound.ca_files` (for local servers with certificates of their own). With no CA files the
// transports keep Node's default trust, untouched; with some, the list is the system's
// certificates and the files' together, since a CA option replaces the default rather than
// adding to it. Reads files; must not know about calls or transports.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import tls from 'node:tls';
import { fail, ok, type Result } from '../errors.ts';

/** What HTTPS connections trust. `ca` undefined: Node's default (the system's certificates). */
export interface Trust {
  ca: string[] | undefined;
  /** The CA files in use, resolved, for the UI and the log. */
  files: string[];
}

export const DEFAULT_TRUST: Trust = { ca: undefined, files: [] };

type CaStore = 'default' | 'system';
const tlsWithStores = tls as typeof tls & { getCACertificates?: (store: CaStore) => string[] };

/**
 * The certificates Node trusts by default. Newer Node (22.15+, and so Electron) can read the
 * operating system's store; older Node trusts its bundled Mozilla list and NODE_EXTRA_CA_CERTS.
 */
function systemCertificates(): string[] {
  const stores = tlsWithStores.getCACertificates;
  if (stores) return [...new Set([...stores('default'), ...stores('system')])];
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  let extraPem: string[] = [];
  if (extra) {
    try {
      extraPem = pemBlocks(readFileSync(extra, 'utf8'));
    } catch {
      // Node itself warns at start about an unreadable NODE_EXTRA_CA_CERTS.
    }
  }
  return [...tls.rootCertificates, ...extraPem];
}

function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Reads `outbound.ca_files` (relative to `base`); an error names the entry and the resolved path. */
export function trustFrom(caFiles: readonly string[] | undefined, base: string): Result<Trust> {
  if (!caFiles || caFiles.length === 0) return ok(DEFAULT_TRUST);
  const extra: string[] = [];
  const files: string[] = [];
  for (const [index, file] of caFiles.entries()) {
    const path = resolve(base, file);
    const key = `outbound.ca_files[${index}] (${file})`;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      return fail(
        missing ? 'config-file-missing' : 'outbound-ca-invalid',
        missing ? `${key} in .wash/studio.yaml: there is no file at ${path}.` : `${key} in .wash/studio.yaml: ${path} cannot be read: ${(err as Error).message}.`,
        'Paths in .wash/studio.yaml are relative to the project; fix the path or remove the entry.',
      );
    }
    const blocks = pemBlocks(text);
    const unreadable = blocks.find((block) => !parses(block));
    if (blocks.length === 0 || unreadable) {
      return fail('outbound-ca-invalid', `${key} in .wash/studio.yaml: ${path} holds no PEM certificate the studio can read.`, 'A CA file is the PEM certificate (-----BEGIN CERTIFICATE-----) of the authority that signed the server\'s certificate, or that certificate itself when it signed itself.');
    }
    extra.push(...blocks);
    files.push(path);
  }
  return ok({ ca: [...systemCertificates(), ...extra], files });
}

function parses(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}
