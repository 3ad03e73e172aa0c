// The Wasm OCI artifact layout, as the CNCF TAG Runtime Wasm working group specifies it and
// `wash oci push` / wasm-pkg-tools (the oci-wasm crate) write it: an OCI image manifest whose
// config is `application/vnd.wasm.config.v0+json` (`architecture: wasm`, `os: wasip2`, the
// layer digests, the component's imports and exports) and whose one layer is the component,
// `application/wasm`, byte for byte. Annotations are the standard `org.opencontainers.image.*`
// ones. Owns the bytes of the config and the manifest and their digests; sends nothing.
import { createHash } from 'node:crypto';
import { sections, readU32 } from '../components/wasm-binary.ts';
import type { WitWorld } from '../components/wit-world.ts';

export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const WASM_CONFIG_MEDIA_TYPE = 'application/vnd.wasm.config.v0+json';
export const WASM_LAYER_MEDIA_TYPE = 'application/wasm';
/** The layer media type wasmCloud used before the working group's; pulls still accept it. */
export const LEGACY_WASM_LAYER_MEDIA_TYPE = 'application/vnd.module.wasm.content.layer.v1+wasm';

export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface OciManifest {
  schemaVersion: 2;
  mediaType: string;
  config: OciDescriptor;
  layers: OciDescriptor[];
  annotations?: Record<string, string>;
}

/** The config blob, field for field as oci-wasm serializes it. */
export interface WasmConfig {
  created: string;
  author: string | null;
  architecture: 'wasm';
  os: 'wasip2' | 'wasip1';
  layerDigests: string[];
  component?: { exports: string[]; imports: string[]; target: string | null } | null;
}

export interface WasmArtifact {
  config: Buffer;
  configDigest: string;
  layer: Uint8Array;
  layerDigest: string;
  manifest: Buffer;
  manifestDigest: string;
}

export interface WasmArtifactInput {
  /** The component's bytes: the one layer. */
  bytes: Uint8Array;
  world: WitWorld;
  /** RFC 3339; now by default. */
  created?: string;
  annotations?: Record<string, string>;
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function buildWasmArtifact(input: WasmArtifactInput): WasmArtifact {
  const layerDigest = sha256Digest(input.bytes);
  const configValue: WasmConfig = {
    created: input.created ?? new Date().toISOString(),
    author: null,
    architecture: 'wasm',
    os: 'wasip2',
    layerDigests: [layerDigest],
    component: { exports: input.world.exports, imports: input.world.imports, target: null },
  };
  const config = Buffer.from(JSON.stringify(configValue), 'utf8');
  const configDigest = sha256Digest(config);
  const manifestValue: OciManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    config: { mediaType: WASM_CONFIG_MEDIA_TYPE, digest: configDigest, size: config.byteLength },
    layers: [{ mediaType: WASM_LAYER_MEDIA_TYPE, digest: layerDigest, size: input.bytes.byteLength }],
    ...(input.annotations && Object.keys(input.annotations).length > 0 ? { annotations: sortedRecord(input.annotations) } : {}),
  };
  const manifest = Buffer.from(JSON.stringify(manifestValue), 'utf8');
  return { config, configDigest, layer: input.bytes, layerDigest, manifest, manifestDigest: sha256Digest(manifest) };
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The custom sections of the WebAssembly tool conventions that carry package metadata
 * (wasm-metadata writes them; `wkg oci push` turns them into annotations), mapped to their
 * `org.opencontainers.image.*` annotation.
 */
const METADATA_ANNOTATIONS: Record<string, string> = {
  version: 'org.opencontainers.image.version',
  description: 'org.opencontainers.image.description',
  authors: 'org.opencontainers.image.authors',
  licenses: 'org.opencontainers.image.licenses',
  homepage: 'org.opencontainers.image.url',
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
};

/** Annotations from the component's own metadata sections (top level only: the component's, not its modules'). */
export function metadataAnnotations(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const section of sections(bytes)) {
      if (section.id !== 0) continue;
      const [nameLength, nameStart] = readU32(bytes, section.bodyStart);
      const name = Buffer.from(bytes.subarray(nameStart, nameStart + nameLength)).toString('utf8');
      const key = METADATA_ANNOTATIONS[name];
      if (!key) continue;
      const value = Buffer.from(bytes.subarray(nameStart + nameLength, section.end)).toString('utf8').trim();
      if (value) out[key] = value;
    }
  } catch {
    // A binary we cannot walk has no metadata we can read; pushing it is still possible.
  }
  return out;
}

/**
 * The annotations a push writes: the standard created, title and version, then the
 * component's own metadata, then what the user gave (each wins over the ones before).
 */
export function artifactAnnotations(input: { bytes: Uint8Array; title: string; tag?: string; created: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    'org.opencontainers.image.created': input.created,
    'org.opencontainers.image.title': input.title,
    ...(input.tag && input.tag !== 'latest' ? { 'org.opencontainers.image.version': input.tag } : {}),
    ...metadataAnnotations(input.bytes),
    ...input.extra,
  };
}
