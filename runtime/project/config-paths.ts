// The files and folders a project config names (dev.tls_*, dev.volumes, the store paths,
// dev.components files), resolved against the project root and checked before anything uses
// them. A path that leads nowhere is an error value naming the config key and the resolved
// path, with a hint; never an exception from deep inside a read. Must not read or create what
// the paths point at: the gateway reads the TLS files, the stores make their folders.
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fail, ok, type Result } from '../errors.ts';
import type { WashConfig } from './config-schema.ts';

export interface TlsFiles {
  certPath: string;
  keyPath: string;
  caPath?: string;
}

type Kind = 'file' | 'folder' | 'other' | 'missing';

async function kindOf(path: string): Promise<Kind> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? 'file' : stats.isDirectory() ? 'folder' : 'other';
  } catch {
    return 'missing';
  }
}

const RELATIVE = 'a relative path starts at the project root';

/** A file the config names: it must exist and be a file. */
export async function checkConfigFile(key: string, path: string): Promise<Result<string>> {
  const kind = await kindOf(path);
  if (kind === 'file') return ok(path);
  if (kind === 'missing') return fail('config-file-missing', `${key}: ${path} does not exist.`, `Create the file, or fix ${key} in the config (${RELATIVE}).`);
  return fail('config-path-wrong-type', `${key}: ${path} is ${kind === 'folder' ? 'a folder' : 'not a regular file'}, not a file.`, `Point ${key} at a file (${RELATIVE}).`);
}

/**
 * A folder the config names that the studio may create (the store folders): what exists of it
 * must be a folder, and so must the nearest existing folder above it, or it could never be made.
 */
export async function checkCreatableFolder(key: string, path: string): Promise<Result<string>> {
  let at = path;
  for (;;) {
    const kind = await kindOf(at);
    if (kind === 'folder') return ok(path);
    if (kind !== 'missing') {
      const where = at === path ? `${path} is a file` : `${at}, on the way to ${path}, is a file`;
      return fail('config-path-wrong-type', `${key}: ${where}, not a folder.`, `Move that file away, or point ${key} at a folder (${RELATIVE}).`);
    }
    const parent = dirname(at);
    if (parent === at) return ok(path);
    at = parent;
  }
}

/**
 * dev.tls_cert_path and dev.tls_key_path (and dev.tls_ca_path), resolved and checked. Undefined
 * when HTTPS is not asked for: wash serves HTTPS only when both the cert and the key are set.
 */
export async function tlsFilesOf(config: WashConfig, root: string): Promise<Result<TlsFiles | undefined>> {
  const dev = config.dev;
  if (!dev?.tls_cert_path || !dev.tls_key_path) return ok(undefined);
  const cert = await checkConfigFile('dev.tls_cert_path', resolve(root, dev.tls_cert_path));
  if (!cert.ok) return cert;
  const key = await checkConfigFile('dev.tls_key_path', resolve(root, dev.tls_key_path));
  if (!key.ok) return key;
  if (!dev.tls_ca_path) return ok({ certPath: cert.value, keyPath: key.value });
  const ca = await checkConfigFile('dev.tls_ca_path', resolve(root, dev.tls_ca_path));
  if (!ca.ok) return ca;
  return ok({ certPath: cert.value, keyPath: key.value, caPath: ca.value });
}

/** Why a half TLS config serves plain HTTP, for a warning; undefined when there is nothing to say. */
export function halfTlsConfig(config: WashConfig): string | undefined {
  const dev = config.dev;
  if (!dev) return undefined;
  const set = (['tls_cert_path', 'tls_key_path', 'tls_ca_path'] as const).filter((key) => dev[key]);
  if (set.length === 0 || (dev.tls_cert_path && dev.tls_key_path)) return undefined;
  const missing = dev.tls_cert_path ? 'dev.tls_key_path' : 'dev.tls_cert_path';
  return `${set.map((key) => `dev.${key}`).join(' and ')} ${set.length === 1 ? 'is' : 'are'} set but ${missing} is not, so the gateway serves plain HTTP (as wash does). Set both for HTTPS.`;
}

/**
 * The host folders of `dev.volumes`, resolved against the project root, with the guest path
 * each is preopened at. A missing folder is an error naming the entry, not a component that
 * fails to start.
 */
export async function volumesOf(config: WashConfig, root: string): Promise<Result<{ hostPath: string; guestPath: string }[]>> {
  const volumes: { hostPath: string; guestPath: string }[] = [];
  for (const [i, volume] of (config.dev?.volumes ?? []).entries()) {
    const hostPath = resolve(root, volume.host_path);
    if ((await kindOf(hostPath)) !== 'folder') {
      return fail('volume-missing', `dev.volumes[${i}].host_path: ${hostPath} is not a folder.`, 'Create the folder, or fix the path (it is relative to the project root).');
    }
    volumes.push({ hostPath, guestPath: volume.guest_path });
  }
  return ok(volumes);
}

/**
 * The dev.components files, resolved against `base`, each checked to be a file. Checked after
 * the build, which may be what writes them.
 */
/** The service component of dev.service_file, checked like the component files; undefined when unset. */
export async function serviceFileOf(config: WashConfig | undefined, base: string): Promise<Result<string | undefined>> {
  const file = config?.dev?.service_file;
  return file === undefined ? ok(undefined) : checkConfigFile('dev.service_file', resolve(base, file));
}

export async function componentFilesOf(config: WashConfig | undefined, base: string): Promise<Result<{ name: string; file: string }[]>> {
  const files: { name: string; file: string }[] = [];
  for (const [i, component] of (config?.dev?.components ?? []).entries()) {
    const checked = await checkConfigFile(`dev.components[${i}].file ("${component.name}")`, resolve(base, component.file));
    if (!checked.ok) return checked;
    files.push({ name: component.name, file: checked.value });
  }
  return ok(files);
}
