// The Deploy view's commands over the current session: the manifest for what the session
// built, checks of edited manifests, pushes with progress events, and `kubectl apply`. The
// work is runtime/deploy's; this module picks the session's project and artifacts, keeps
// the digests of this studio's pushes (so the manifest pins them until a rebuild changes the
// component) and allows one push at a time. A password is used for its push and not kept.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { StudioFailure } from '../errors.ts';
import { formatImageReference, isLoopbackRegistry, parseImageReference, type ImageReference } from '../deploy/image-reference.ts';
import { applyCommand, applyManifests, kubectlStatus } from '../deploy/kubectl.ts';
import { validateManifest } from '../deploy/manifest-validator.ts';
import { sourceOfFile, sourceOfProject, workloadArtifacts, type DeploySource } from '../deploy/workload-artifacts.ts';
import { prepareManifest, pushWorkload } from '../deploy/workload-deploy.ts';
import type { DevSession } from '../session/dev-session.ts';
import { isRouteHost } from '../deploy/workload-deployment.ts';
import type { CommandArgs, CommandResult, DeployCommands as DeployCommandTypes, DeployTargetArgs, DeployView } from './api.ts';
import type { StudioEvent } from './studio-service.ts';

type DeployCommandName = keyof DeployCommandTypes;
export type DeployHandlers = { [C in DeployCommandName]: (args: CommandArgs<C>) => Promise<CommandResult<C>> };

interface PushRecord {
  pinned: string;
  /** The component pushed; a rebuild that changes it drops the pin. */
  layerDigest: string;
}

export class DeployCommands {
  /** By `<artifact name> <image>`: what this studio pushed there. */
  private readonly pushes = new Map<string, PushRecord>();
  private pushing = false;

  constructor(
    private readonly session: () => DevSession | undefined,
    private readonly emit: (event: StudioEvent) => void,
  ) {}

  handlers(): DeployHandlers {
    return {
      'deploy.get': async (args) => this.view(args),
      'deploy.validate': async ({ manifest }) => validateManifest(manifest),
      'deploy.push': async (args) => this.push(args),
      'deploy.apply': async ({ manifest, context }) => {
        const errors = validateManifest(manifest).problems.filter((p) => p.severity === 'error');
        if (errors.length > 0) {
          throw new StudioFailure({ code: 'manifest-invalid', message: `The manifest has ${errors.length} error${errors.length === 1 ? '' : 's'}; the first: ${errors[0]!.message}`, hint: 'Fix the fields marked in the editor, or regenerate the manifest.' });
        }
        const applied = await applyManifests(manifest, context ? { context } : {});
        if (!applied.ok) throw new StudioFailure(applied.error);
        return applied.value;
      },
    };
  }

  private source(): DeploySource {
    const described = this.session()?.describe();
    if (!described) throw new StudioFailure({ code: 'no-project', message: 'No project is open.', hint: 'Open a project folder or a .wasm file first.' });
    if (described.kind === 'file') return sourceOfFile(described.path);
    if (!described.project) throw new StudioFailure({ code: 'deploy-not-built', message: 'The project\'s config has not been read yet.', hint: 'Wait for the first build to start, then try again.' });
    return sourceOfProject(described.project);
  }

  private image(args: DeployTargetArgs): ImageReference {
    const parsed = parseImageReference(`${args.repository.trim()}:${args.tag.trim()}`);
    if (!parsed.ok) throw new StudioFailure(parsed.error);
    return parsed.value;
  }

  private async view(args: DeployTargetArgs): Promise<DeployView> {
    const source = this.source();
    const image = this.image(args);
    const pinned = new Map<string, string>();
    const built = new Map<string, boolean>();
    for (const artifact of workloadArtifacts(source, image)) {
      const record = this.pushes.get(`${artifact.name} ${formatImageReference(artifact.image)}`);
      const bytes = await readFile(artifact.file).catch(() => undefined);
      built.set(artifact.name, bytes !== undefined);
      if (record && bytes && `sha256:${createHash('sha256').update(bytes).digest('hex')}` === record.layerDigest) pinned.set(artifact.name, record.pinned);
    }
    const host = args.host?.trim();
    if (host && !isRouteHost(host)) {
      throw new StudioFailure({ code: 'deploy-invalid-host', message: `The host must be a DNS name such as qr.example.com, not "${host.slice(0, 300)}".`, hint: 'Letters, digits, - and dots; the cluster\'s HTTP gateway routes requests for this name to the workload.' });
    }
    const options = { ...(args.replicas !== undefined ? { replicas: args.replicas } : {}), ...(host ? { host } : {}) };
    const { manifest, check, artifacts } = await prepareManifest(source, image, options, pinned);
    const kubectl = await kubectlStatus();
    return {
      name: manifest.name,
      manifest: manifest.yaml,
      problems: check.problems,
      notes: manifest.notes,
      artifacts: artifacts.map((a) => ({
        name: a.name,
        role: a.role,
        file: a.file,
        image: formatImageReference(a.image),
        built: built.get(a.name) ?? false,
        ...(pinned.has(a.name) ? { pinned: pinned.get(a.name)! } : {}),
      })),
      kubectl: kubectl.available ? { available: true, context: kubectl.context } : { available: false, reason: kubectl.reason },
      applyCommand: applyCommand(`${manifest.name}.yaml`),
      registryIsLocal: isLoopbackRegistry(image.registry),
    };
  }

  private async push(args: CommandArgs<'deploy.push'>): Promise<CommandResult<'deploy.push'>> {
    if (this.pushing) throw new StudioFailure({ code: 'push-busy', message: 'A push is already under way.', hint: 'Wait for it to finish.' });
    this.pushing = true;
    try {
      const source = this.source();
      const image = this.image(args);
      const artifacts = workloadArtifacts(source, image);
      const pushed = await pushWorkload({
        source,
        image,
        ...(args.insecure ? { insecure: true } : {}),
        ...(args.username ? { credentials: { kind: 'basic' as const, username: args.username, password: args.password ?? '' } } : {}),
        onProgress: (artifact, progress) => {
          const index = artifacts.findIndex((a) => a.name === artifact.name);
          this.emit({ event: 'deploy.progress', payload: { artifact: artifact.name, index, count: artifacts.length, ...progress } });
        },
      });
      if (!pushed.ok) throw new StudioFailure(pushed.error);
      for (const p of pushed.value) {
        const artifact = artifacts.find((a) => a.name === p.name)!;
        this.pushes.set(`${p.name} ${formatImageReference(artifact.image)}`, { pinned: p.pinned, layerDigest: p.layerDigest });
      }
      return {
        pushed: pushed.value.map((p) => ({ name: p.name, reference: p.reference, pinned: p.pinned, digest: p.digest, size: p.size, verified: p.verified })),
        deploy: await this.view(args),
      };
    } finally {
      this.pushing = false;
    }
  }
}
