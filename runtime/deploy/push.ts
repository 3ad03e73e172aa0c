// Pushes one component to an OCI registry as a Wasm artifact (layout: wasm-artifact.ts): the
// layer and the config blob (each skipped when the registry already has it), then the
// manifest under the tag, then a pull of the tag to check that it resolves to the manifest
// just pushed and that the component comes back byte for byte. Reports progress as it goes
// and the manifest digest at the end.
import { fail, ok, type Result } from '../errors.ts';
import type { WitWorld } from '../components/wit-world.ts';
import { formatImageReference, pinnedReference, type ImageReference } from './image-reference.ts';
import { pullComponent, registrySession, type RegistryAccess } from './pull.ts';
import { registryError, registryUrl, type RegistrySession } from './registry-session.ts';
import { OCI_MANIFEST_MEDIA_TYPE, artifactAnnotations, buildWasmArtifact } from './wasm-artifact.ts';

export type PushPhase = 'connecting' | 'uploading' | 'manifest' | 'verifying' | 'done';

export interface PushProgress {
  phase: PushPhase;
  /** Bytes of the component sent so far (the whole of it once uploaded or found there). */
  sent: number;
  total: number;
}

export interface PushInput extends RegistryAccess {
  reference: ImageReference;
  bytes: Uint8Array;
  world: WitWorld;
  /** The component's name: the title annotation. */
  title: string;
  /** More annotations (`--annotation key=value`); they win over the studio's. */
  annotations?: Record<string, string>;
  /** Pull the tag back and compare (default true). */
  verify?: boolean;
  onProgress?: (progress: PushProgress) => void;
}

export interface PushResult {
  /** The reference pushed, with its tag (`ghcr.io/you/app:1.0`). */
  reference: string;
  /** The same, pinned to the manifest digest: what a deployment should run. */
  pinned: string;
  /** The manifest digest. */
  digest: string;
  /** The component's (the layer's) size in bytes. */
  size: number;
  layerDigest: string;
  annotations: Record<string, string>;
  /** True when the tag was pulled back and matched. */
  verified: boolean;
  /** Blobs the registry already had, so were not sent again. */
  reused: ('layer' | 'config')[];
}

export async function pushComponent(input: PushInput): Promise<Result<PushResult>> {
  const ref = input.reference;
  if (ref.digest) return fail('image-ref-invalid', `Push to a tag, not a digest: ${formatImageReference(ref)}.`, 'Drop the @sha256:… part; the digest is what the push reports.');
  const tag = ref.tag ?? 'latest';
  const target = { ...ref, tag };
  const name = formatImageReference(target);
  const total = input.bytes.byteLength;
  const report = (phase: PushPhase, sent: number) => input.onProgress?.({ phase, sent, total });

  report('connecting', 0);
  const session = registrySession(ref, ['pull', 'push'], input);
  const open = await session.open();
  if (!open.ok) return open;

  const created = new Date().toISOString();
  const annotations = artifactAnnotations({ bytes: input.bytes, title: input.title, tag, created, ...(input.annotations ? { extra: input.annotations } : {}) });
  const artifact = buildWasmArtifact({ bytes: input.bytes, world: input.world, created, annotations });

  const reused: PushResult['reused'] = [];
  report('uploading', 0);
  const layer = await uploadBlob(session, ref, artifact.layer, artifact.layerDigest, (sent) => report('uploading', sent));
  if (!layer.ok) return layer;
  if (layer.value === 'exists') reused.push('layer');
  report('uploading', total);
  const config = await uploadBlob(session, ref, artifact.config, artifact.configDigest);
  if (!config.ok) return config;
  if (config.value === 'exists') reused.push('config');

  report('manifest', total);
  const put = await session.send({ method: 'PUT', url: `/v2/${ref.repository}/manifests/${encodeURIComponent(tag)}`, headers: { 'content-type': OCI_MANIFEST_MEDIA_TYPE }, body: artifact.manifest });
  if (!put.ok) return put;
  if (put.value.status !== 201 && put.value.status !== 200) return { ok: false, error: registryError(session.errorParts(put.value, `writing the manifest of ${name}`)) };
  const reported = String(put.value.headers['docker-content-digest'] ?? '').trim();
  if (reported && reported !== artifact.manifestDigest) {
    return fail('digest-mismatch', `${ref.registry} stored the manifest of ${name} as ${reported}, not ${artifact.manifestDigest}.`, 'The registry rewrote the manifest; it may not support OCI artifacts. Try another registry.');
  }

  let verified = false;
  if (input.verify !== false) {
    report('verifying', total);
    const pulled = await pullComponent(target, input, session);
    if (!pulled.ok) return pulled;
    if (pulled.value.manifestDigest !== artifact.manifestDigest) {
      return fail('digest-mismatch', `${name} now points at ${pulled.value.manifestDigest}, not the ${artifact.manifestDigest} just pushed.`, 'Someone pushed the same tag at the same time; push again, or use a tag of your own.');
    }
    if (pulled.value.layerDigest !== artifact.layerDigest || !Buffer.from(artifact.layer).equals(pulled.value.bytes)) {
      return fail('digest-mismatch', `The component pulled back from ${name} is not the one pushed.`, 'Check the registry\'s storage, then push again.');
    }
    verified = true;
  }
  report('done', total);
  return ok({
    reference: name,
    pinned: formatImageReference(pinnedReference(target, artifact.manifestDigest)),
    digest: artifact.manifestDigest,
    size: total,
    layerDigest: artifact.layerDigest,
    annotations,
    verified,
    reused,
  });
}

/** A blob, unless the repository has it: start an upload, then send it whole with its digest. */
async function uploadBlob(session: RegistrySession, ref: ImageReference, bytes: Uint8Array, digest: string, onProgress?: (sent: number) => void): Promise<Result<'exists' | 'uploaded'>> {
  const head = await session.send({ method: 'HEAD', url: `/v2/${ref.repository}/blobs/${digest}` });
  if (!head.ok) return head;
  if (head.value.status === 200) return ok('exists');
  const start = await session.send({ method: 'POST', url: `/v2/${ref.repository}/blobs/uploads/`, headers: { 'content-length': '0' } });
  if (!start.ok) return start;
  if (start.value.status !== 202 || !start.value.headers.location) {
    return { ok: false, error: registryError(session.errorParts(start.value, `starting an upload to ${ref.repository}`)) };
  }
  const located = registryUrl(start.value.headers.location, start.value.url, ref.registry);
  if (!located.ok) return located;
  const location = located.value;
  location.searchParams.set('digest', digest);
  const put = await session.send({
    method: 'PUT',
    url: location.href,
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
    ...(onProgress ? { onProgress } : {}),
  });
  if (!put.ok) return put;
  if (put.value.status !== 201) return { ok: false, error: registryError(session.errorParts(put.value, `uploading ${digest.slice(0, 19)}… to ${ref.repository}`)) };
  return ok('uploaded');
}
