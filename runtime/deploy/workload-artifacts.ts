// What a project deploys, as `wash dev` assembles its workload (wash rc.6, create_workload):
// the project's component (or, with `dev.service: true`, the project's service), each
// `dev.components` entry, and the `dev.service_file` service; each with its file and the image
// it is pushed to. The project's image is the one the user names; the others go beside it
// (`ghcr.io/you/app-api:1.0` for the component `api`). A bare .wasm file is whatever its
// world makes it, as the dev session runs it: the service when it exports wasi:cli/run and no
// HTTP handler, else a component. Knows files, names and worlds, not registries.
import { basename, extname, resolve } from 'node:path';
import { isServiceOnly, type WitWorld } from '../components/wit-world.ts';
import type { Project } from '../project/project-config.ts';
import { componentPathOf } from '../session/project-build.ts';
import type { StudioError } from '../errors.ts';
import { formatImageReference, siblingReference, type ImageReference } from './image-reference.ts';

/** What is deployed: a project (with its config) or a bare .wasm file. */
export type DeploySource = { kind: 'project'; name: string; project: Project } | { kind: 'file'; name: string; wasmPath: string };

export interface WorkloadArtifact {
  role: 'component' | 'service';
  /** A bare .wasm file: its world decides its role once it is read (see roleFromWorld). */
  roleFromWorld?: true;
  /** Its name in the WorkloadDeployment. */
  name: string;
  /** The .wasm file, absolute. */
  file: string;
  /** The config key it comes from, for messages (`dev.components[0]`, `build.component_path`). */
  configKey: string;
  image: ImageReference;
}

export function sourceOfFile(wasmPath: string): DeploySource {
  return { kind: 'file', name: basename(wasmPath, extname(wasmPath)), wasmPath: resolve(wasmPath) };
}

export function sourceOfProject(project: Project): DeploySource {
  return { kind: 'project', name: project.name, project };
}

export function workloadArtifacts(source: DeploySource, image: ImageReference): WorkloadArtifact[] {
  if (source.kind === 'file') return [{ role: 'component', roleFromWorld: true, name: source.name, file: source.wasmPath, configKey: source.wasmPath, image }];
  const { project } = source;
  const dev = project.config.dev ?? {};
  const artifacts: WorkloadArtifact[] = [
    { role: dev.service ? 'service' : 'component', name: source.name, file: componentPathOf(project), configKey: dev.service ? 'dev.service' : 'build.component_path', image },
  ];
  (dev.components ?? []).forEach((c, i) => {
    artifacts.push({ role: 'component', name: c.name, file: resolve(project.root, c.file), configKey: `dev.components[${i}]`, image: siblingReference(image, c.name) });
  });
  // wash runs dev.service_file only beside a component: with dev.service the project is the service.
  if (dev.service_file && !dev.service) {
    artifacts.push({ role: 'service', name: `${source.name}-service`, file: resolve(project.root, dev.service_file), configKey: 'dev.service_file', image: siblingReference(image, 'service') });
  }
  return artifacts;
}

/**
 * Two artifacts pushed to one image (`my_api` and `My-API` both become `app-my-api`; a
 * component named `service` meets the service): the second push would replace the first, and
 * the cluster would run one's code under both names.
 */
export function imageClash(artifacts: readonly WorkloadArtifact[]): StudioError | undefined {
  const seen = new Map<string, WorkloadArtifact>();
  for (const artifact of artifacts) {
    const image = formatImageReference(artifact.image);
    const other = seen.get(image);
    if (other) {
      return {
        code: 'deploy-image-clash',
        message: `${other.configKey} (${other.name}) and ${artifact.configKey} (${artifact.name}) would both be pushed as ${image}: the second would replace the first.`,
        hint: 'Rename one of them so their names differ in lowercase letters and digits (images are named after them).',
      };
    }
    seen.set(image, artifact);
  }
  return undefined;
}

/** The artifact with its role settled by its world, for a bare .wasm file; others as they are. */
export function roleFromWorld(artifact: WorkloadArtifact, world: WitWorld): WorkloadArtifact {
  if (!artifact.roleFromWorld) return artifact;
  return { ...artifact, role: isServiceOnly(world) ? 'service' : 'component' };
}
