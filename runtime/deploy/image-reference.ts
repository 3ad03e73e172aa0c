// OCI image references (`ghcr.io/you/app:1.0`, `localhost:5000/app@sha256:…`) as Docker and
// the distribution spec read them: which registry, which repository, which tag or digest.
// Owns parsing, printing and the names derived from a reference; it talks to no registry.
import { fail, ok, type Result } from '../errors.ts';

export interface ImageReference {
  /** The registry as written (`ghcr.io`, `localhost:5000`); `docker.io` when none is. */
  registry: string;
  /** The repository path (`you/app`; `library/app` on Docker Hub for a one-part name). */
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>` when the reference pins one. */
  digest?: string;
}

const DOCKER_HUB = 'docker.io';
// distribution/reference's grammar: path components of lowercase letters and digits joined by
// `.`, `_`, `__` or runs of `-`; tags of up to 128 word characters, dots and dashes.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

const HINT = 'Write it as registry/repository:tag, e.g. ghcr.io/you/app:1.0 or localhost:5000/app:latest.';

export function parseImageReference(text: string): Result<ImageReference> {
  const input = text.trim();
  if (!input) return fail('image-ref-invalid', 'No image reference was given.', HINT);
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return fail('image-ref-invalid', `"${input}" has a digest that is not sha256:<64 hex digits>.`, HINT);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return fail('image-ref-invalid', `"${tag}" in "${input}" is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -).`, HINT);
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  // As Docker decides: the first part names a registry when it has a dot or a port, or is localhost.
  if (parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === 'localhost' || parts[0]!.startsWith('['))) {
    registry = parts.shift()!;
    if (!HOST.test(registry)) return fail('image-ref-invalid', `"${registry}" in "${input}" is not a registry host name.`, HINT);
    const port = /:(\d+)$/.exec(registry)?.[1];
    if (port !== undefined && (Number(port) > 65535 || Number(port) === 0)) return fail('image-ref-invalid', `"${registry}" in "${input}" has the port ${port}; a port is 1 to 65535.`, HINT);
  }
  if (parts.length === 0 || parts.some((p) => !PATH_COMPONENT.test(p))) {
    return fail('image-ref-invalid', `"${rest}" in "${input}" is not a repository name: use lowercase letters, digits and . _ - between slashes.`, HINT);
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  const repository = registry === DOCKER_HUB && parts.length === 1 ? `library/${parts[0]}` : parts.join('/');
  if (repository.length > 255) return fail('image-ref-invalid', `The repository name in "${input}" is longer than 255 characters.`, HINT);
  return ok({ registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) });
}

/** The reference as people write it; `latest` when it has neither a tag nor a digest. */
export function formatImageReference(ref: ImageReference): string {
  const name = `${ref.registry}/${ref.repository}`;
  if (ref.digest) return ref.tag ? `${name}:${ref.tag}@${ref.digest}` : `${name}@${ref.digest}`;
  return `${name}:${ref.tag ?? 'latest'}`;
}

/** What a registry's API calls the manifest: the digest when pinned, else the tag. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** The host to send API requests to (Docker Hub's API does not live at docker.io). */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

/** The host name of a registry, without its port or IPv6 brackets. */
export function registryHostName(registry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(registry);
  if (bracketed) return bracketed[1]!;
  return registry.replace(/:\d+$/, '');
}

/** A registry on this machine, where plain HTTP (`--insecure`) sends nothing over a network. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registryHostName(registry).toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127(?:\.\d{1,3}){3}$/.test(host) || host === '::1';
}

/**
 * The reference of another artifact of the same workload: the repository with `-<suffix>`
 * (`ghcr.io/you/app:1.0` and `api` give `ghcr.io/you/app-api:1.0`), same registry and tag.
 */
export function siblingReference(ref: ImageReference, suffix: string): ImageReference {
  const clean = suffix.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'part';
  return { registry: ref.registry, repository: `${ref.repository}-${clean}`, ...(ref.tag !== undefined ? { tag: ref.tag } : {}) };
}

/** The same reference pinned to a digest, keeping its tag for people to read. */
export function pinnedReference(ref: ImageReference, digest: string): ImageReference {
  return { ...ref, digest };
}
