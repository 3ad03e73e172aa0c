// The Studio API's deploy commands and events (the Deploy view's): types only, imported by
// api.ts, which the renderer reads. Pushing goes to an OCI registry; the manifest is a
// wasmCloud WorkloadDeployment (and a Service) as YAML text, checked against the CRD.

import type { ManifestProblem } from '../deploy/manifest-problem.ts';

export interface DeployTargetArgs {
  /** `registry/repository`, e.g. `ghcr.io/you/app` or `localhost:5000/app`. */
  repository: string;
  tag: string;
  replicas?: number;
  /** The host name the cluster's HTTP gateway routes to the workload. */
  host?: string;
}

/** A problem in a manifest, with its field path, its line and the config key it came from. */
export type ManifestProblemView = ManifestProblem;

export interface DeployArtifactView {
  name: string;
  role: 'component' | 'service';
  /** The .wasm file. */
  file: string;
  /** Where it is pushed (`…/app-api:1.0` for a dev.components entry `api`). */
  image: string;
  built: boolean;
  /** `image@sha256:…` once pushed from this studio (and not rebuilt since). */
  pinned?: string;
}

export type KubectlView = { available: true; context: string } | { available: false; reason: string };

export interface DeployView {
  /** metadata.name of the objects. */
  name: string;
  /** The generated manifests, YAML, with notes as comments at the top. */
  manifest: string;
  problems: ManifestProblemView[];
  notes: string[];
  artifacts: DeployArtifactView[];
  kubectl: KubectlView;
  /** What to run where kubectl reaches the cluster, for a saved file. */
  applyCommand: string;
  /** True when the registry is on this machine, where plain HTTP is allowed (and usual). */
  registryIsLocal: boolean;
}

export interface PushedArtifactView {
  name: string;
  reference: string;
  pinned: string;
  digest: string;
  size: number;
  verified: boolean;
}

export interface DeployProgressView {
  artifact: string;
  /** 0-based, of `count` artifacts pushed one after the other. */
  index: number;
  count: number;
  phase: 'connecting' | 'uploading' | 'manifest' | 'verifying' | 'done';
  sent: number;
  total: number;
}

export interface DeployCommands {
  /** The manifest for the project as it is built now, pinned to pushes made from this studio. */
  'deploy.get': { args: DeployTargetArgs; result: DeployView };
  /** Checks manifest text (edited by hand) as `deploy.get` checks what it generates. */
  'deploy.validate': { args: { manifest: string }; result: { problems: ManifestProblemView[]; objects: string[] } };
  /** Pushes every artifact of the workload (progress as `deploy.progress`); the password is used for this push only. */
  'deploy.push': {
    args: DeployTargetArgs & { insecure?: boolean; username?: string; password?: string };
    result: { pushed: PushedArtifactView[]; deploy: DeployView };
  };
  /** `kubectl apply` of the manifest text, refused while it has errors. */
  'deploy.apply': { args: { manifest: string; context?: string }; result: { output: string; context: string } };
}

export interface DeployEvents {
  'deploy.progress': DeployProgressView;
}
