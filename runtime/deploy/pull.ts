// Pulls a Wasm artifact back from a registry and checks every byte against its digest: the
// manifest against the digest the reference pins (or the registry reports), the config and the
// layer against the manifest's descriptors. A push ends with one, so "pushed" means "a client
// gets back exactly this component". Owns reading the layout; wasm-artifact.ts owns writing it.
import { fail, ok, type Result } from '../errors.ts';
import type { RegistryCredentials } from './docker-credentials.ts';
import { dockerCredentials } from './docker-credentials.ts';
import { formatImageReference, manifestReference, type ImageReference } from './image-reference.ts';
import { RegistrySession, registryError } from './registry-session.ts';
import { LEGACY_WASM_LAYER_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE, WASM_CONFIG_MEDIA_TYPE, WASM_LAYER_MEDIA_TYPE, sha256Digest, type OciDescriptor, type OciManifest, type WasmConfig } from './wasm-artifact.ts';

export interface RegistryAccess {
  insecure?: boolean;
  credentials?: RegistryCredentials;
  /** Where the Docker config is looked for (DOCKER_CONFIG, HOME); this process's environment by default. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface PulledComponent {
  bytes: Buffer;
  manifest: OciManifest;
  manifestDigest: string;
  config: WasmConfig;
  layerDigest: string;
}

const MANIFEST_ACCEPT = [OCI_MANIFEST_MEDIA_TYPE, 'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.index.v1+json'].join(', ');
/** Components larger than this are refused on pull (wash's largest examples are ~40 MB). */
const MAX_COMPONENT_BYTES = 1024 * 2 ** 20;

/** A session that looks up the Docker config when the registry asks for credentials. */
export function registrySession(ref: ImageReference, actions: ('pull' | 'push')[], access: RegistryAccess): RegistrySession {
  return new RegistrySession({
    registry: ref.registry,
    repository: ref.repository,
    actions,
    ...(access.insecure ? { insecure: true } : {}),
    ...(access.credentials ? { credentials: access.credentials } : {}),
    findCredentials: () => dockerCredentials(ref.registry, access.env ? { env: access.env } : {}),
    ...(access.signal ? { signal: access.signal } : {}),
  });
}

export async function pullComponent(ref: ImageReference, access: RegistryAccess = {}, opened?: RegistrySession): Promise<Result<PulledComponent>> {
  const session = opened ?? registrySession(ref, ['pull'], access);
  if (!opened) {
    const open = await session.open();
    if (!open.ok) return open;
  }
  const name = formatImageReference(ref);
  const answer = await session.send({ method: 'GET', url: `/v2/${ref.repository}/manifests/${manifestReference(ref)}`, headers: { accept: MANIFEST_ACCEPT } });
  if (!answer.ok) return answer;
  if (answer.value.status !== 200) return { ok: false, error: registryError(session.errorParts(answer.value, `reading the manifest of ${name}`)) };
  const manifestBytes = answer.value.body;
  const manifestDigest = sha256Digest(manifestBytes);
  const expected = ref.digest ?? headerDigest(answer.value.headers['docker-content-digest']);
  if (expected && expected !== manifestDigest) {
    return fail('digest-mismatch', `The manifest of ${name} that came back hashes to ${manifestDigest}, not ${expected}.`, 'Something between you and the registry changed it, or the registry is misbehaving; push again.');
  }
  let manifest: OciManifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as OciManifest;
  } catch {
    return fail('not-wasm-artifact', `${name} has a manifest that is not JSON.`, 'Check the reference.');
  }
  const mediaType = manifest.mediaType ?? String(answer.value.headers['content-type'] ?? '');
  if (/index|manifest\.list/.test(mediaType)) {
    return fail('not-wasm-artifact', `${name} is a multi-platform image index, not a Wasm component.`, 'Point at a Wasm artifact, such as one pushed with `component-studio push` or `wash oci push`.');
  }
  if (manifest.config?.mediaType !== WASM_CONFIG_MEDIA_TYPE) {
    return fail('not-wasm-artifact', `${name} is not a Wasm artifact: its config is ${manifest.config?.mediaType ?? 'missing'}, not ${WASM_CONFIG_MEDIA_TYPE}.`, 'It may be a container image; point at a Wasm component.');
  }
  const layers = (manifest.layers ?? []).filter((l) => l.mediaType === WASM_LAYER_MEDIA_TYPE || l.mediaType === LEGACY_WASM_LAYER_MEDIA_TYPE);
  if (layers.length !== 1) {
    return fail('not-wasm-artifact', `${name} has ${layers.length} application/wasm layers; a Wasm artifact has exactly one.`, 'Push the component again with `component-studio push`.');
  }
  const configBlob = await fetchBlob(session, ref, manifest.config, 'config', 64 * 1024);
  if (!configBlob.ok) return configBlob;
  let config: WasmConfig;
  try {
    config = JSON.parse(configBlob.value.toString('utf8')) as WasmConfig;
  } catch {
    return fail('not-wasm-artifact', `The config of ${name} is not JSON.`, 'Push the component again.');
  }
  const layer = layers[0]!;
  const bytes = await fetchBlob(session, ref, layer, 'component', MAX_COMPONENT_BYTES);
  if (!bytes.ok) return bytes;
  return ok({ bytes: bytes.value, manifest, manifestDigest, config, layerDigest: layer.digest });
}

async function fetchBlob(session: RegistrySession, ref: ImageReference, descriptor: OciDescriptor, what: string, maxBytes: number): Promise<Result<Buffer>> {
  const name = formatImageReference(ref);
  if (descriptor.size > maxBytes) return fail('not-wasm-artifact', `The ${what} of ${name} is ${descriptor.size} bytes, more than the ${maxBytes} the studio reads.`, 'Check the reference.');
  const answer = await session.send({ method: 'GET', url: `/v2/${ref.repository}/blobs/${descriptor.digest}`, maxBytes: maxBytes + 1 });
  if (!answer.ok) return answer;
  if (answer.value.status !== 200) return { ok: false, error: registryError(session.errorParts(answer.value, `reading the ${what} of ${name}`)) };
  const body = answer.value.body;
  const digest = sha256Digest(body);
  if (digest !== descriptor.digest || body.byteLength !== descriptor.size) {
    return fail('digest-mismatch', `The ${what} of ${name} came back as ${body.byteLength} bytes hashing to ${digest}; the manifest says ${descriptor.size} bytes, ${descriptor.digest}.`, 'The registry returned different bytes than were pushed; push again, and check the registry\'s storage.');
  }
  return ok(body);
}

function headerDigest(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text && /^sha256:[a-f0-9]{64}$/.test(text.trim()) ? text.trim() : undefined;
}
