// Deploying a whole workload, the steps the CLI and the Deploy view share: read each artifact
// of a project (its bytes and WIT world), push them all, and generate and check the manifest
// with the images pinned to what was pushed. Builds nothing and keeps no state: the caller
// says what to deploy and where.
import { checkComponentFile, readComponentBytes } from '../components/component-file.ts';
import { pathExists } from '../path-exists.ts';
import { fail, ok, type Result, type StudioError } from '../errors.ts';
import type { WitWorld } from '../components/wit-world.ts';
import { componentWorld } from './component-world.ts';
import { formatImageReference, type ImageReference } from './image-reference.ts';
import { validateManifest, type ManifestCheck } from './manifest-validator.ts';
import type { RegistryAccess } from './pull.ts';
import { pushComponent, type PushProgress, type PushResult } from './push.ts';
import { imageClash, roleFromWorld, workloadArtifacts, type DeploySource, type WorkloadArtifact } from './workload-artifacts.ts';
import { generateManifest, type DeployedArtifact, type DeployOptions, type GeneratedManifest } from './workload-deployment.ts';

export interface ReadArtifact {
  artifact: WorkloadArtifact;
  bytes: Uint8Array;
  world: WitWorld;
}

export interface PushedArtifact extends PushResult {
  name: string;
  role: WorkloadArtifact['role'];
  file: string;
}

export interface WorkloadPushInput extends RegistryAccess {
  source: DeploySource;
  image: ImageReference;
  annotations?: Record<string, string>;
  verify?: boolean;
  onProgress?: (artifact: WorkloadArtifact, progress: PushProgress) => void;
}

/** One artifact's bytes and world; a missing file is `deploy-not-built`. */
export async function readArtifact(artifact: WorkloadArtifact): Promise<Result<ReadArtifact>> {
  const read = await readComponentBytes(artifact.file);
  if (!read.ok) {
    if (read.error.code === 'component-not-found' && !(await pathExists(artifact.file))) {
      return fail('deploy-not-built', `${artifact.name} is not built: there is no ${artifact.file} (${artifact.configKey}).`, 'Build the project first (the studio builds it on start; `component-studio push` builds it too).');
    }
    return read;
  }
  const bytes = read.value;
  // A core module (or any non-component) prints an empty world, and would be pushed as one.
  const checked = checkComponentFile(artifact.file, bytes);
  if (!checked.ok) return checked;
  const world = await componentWorld(bytes, artifact.name);
  if (!world.ok) return world;
  return ok({ artifact: roleFromWorld(artifact, world.value), bytes, world: world.value });
}

/** Pushes every artifact of the workload, one after the other, and answers their digests. */
export async function pushWorkload(input: WorkloadPushInput): Promise<Result<PushedArtifact[]>> {
  const artifacts = workloadArtifacts(input.source, input.image);
  const clash = imageClash(artifacts);
  if (clash) return { ok: false, error: clash };
  const read: ReadArtifact[] = [];
  for (const artifact of artifacts) {
    const one = await readArtifact(artifact);
    if (!one.ok) return one;
    read.push(one.value);
  }
  const pushed: PushedArtifact[] = [];
  for (const { artifact, bytes, world } of read) {
    const result = await pushComponent({
      ...input,
      reference: artifact.image,
      bytes,
      world,
      title: artifact.name,
      onProgress: (progress) => input.onProgress?.(artifact, progress),
    });
    if (!result.ok) return { ok: false, error: { ...result.error, message: artifacts.length > 1 ? `${artifact.name}: ${result.error.message}` : result.error.message } };
    pushed.push({ ...result.value, name: artifact.name, role: artifact.role, file: artifact.file });
  }
  return ok(pushed);
}

export interface PreparedManifest {
  manifest: GeneratedManifest;
  check: ManifestCheck;
  artifacts: DeployedArtifact[];
  /** An artifact that is built but no component (a core module, not wasm): nothing to deploy. */
  refused?: StudioError;
  /** An artifact not built yet (`deploy-not-built`): the manifest lacks its host interfaces. */
  unbuilt?: StudioError;
}

/**
 * The manifest for a workload: images pinned to `pinned` (by artifact name) where pushed, else
 * the references as named. An artifact not built yet is listed without its host interfaces,
 * and a note says so.
 */
export async function prepareManifest(source: DeploySource, image: ImageReference, options: DeployOptions, pinned: ReadonlyMap<string, string> = new Map()): Promise<PreparedManifest> {
  const artifacts: DeployedArtifact[] = [];
  const unread: string[] = [];
  const all = workloadArtifacts(source, image);
  let refused: StudioError | undefined = imageClash(all);
  let unbuilt: StudioError | undefined;
  for (const artifact of all) {
    const read = await readArtifact(artifact);
    if (!read.ok) unread.push(read.error.message);
    if (!read.ok && read.error.code !== 'deploy-not-built') refused ??= read.error;
    if (!read.ok && read.error.code === 'deploy-not-built') unbuilt ??= read.error;
    artifacts.push({ ...(read.ok ? read.value.artifact : artifact), world: read.ok ? read.value.world : undefined, imageText: pinned.get(artifact.name) ?? formatImageReference(artifact.image) });
  }
  const manifest = generateManifest(source, artifacts, options, unread.map((m) => `${m} Its host interfaces are left out until it is built.`));
  return { manifest, check: validateManifest(manifest.yaml, manifest.origins), artifacts, ...(refused ? { refused } : {}), ...(unbuilt ? { unbuilt } : {}) };
}
