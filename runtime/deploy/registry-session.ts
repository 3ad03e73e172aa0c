// One conversation with an OCI registry about one repository, over the distribution API
// (`/v2/…`): HTTPS, or plain HTTP with `insecure` for a registry on this machine. Owns
// authentication (anonymous; Basic; Bearer tokens fetched from the realm a 401's
// `WWW-Authenticate` names, with a user name and password or a Docker identity token), redirects
// (no credentials follow a redirect to another host), upload progress, and turning every
// failure into an error a person can act on. What to send is push.ts's and pull.ts's business.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fail, messageOf, ok, type Result, type StudioError } from '../errors.ts';
import { parseAuthChallenges, type AuthChallenge } from './auth-challenge.ts';
import type { RegistryCredentials } from './docker-credentials.ts';
import { isLoopbackRegistry, registryApiHost } from './image-reference.ts';

export type RegistryAction = 'pull' | 'push';

export interface RegistrySessionOptions {
  /** The registry as the reference names it (`ghcr.io`, `localhost:5000`, `docker.io`). */
  registry: string;
  repository: string;
  /** What the session will do: the scope a Bearer token is asked for. */
  actions: RegistryAction[];
  /** Plain HTTP; only for a registry on this machine. */
  insecure?: boolean;
  /** Credentials given by the user; they win over the Docker config. */
  credentials?: RegistryCredentials;
  /** Asked once, when the registry wants credentials and none were given (the Docker config). */
  findCredentials?: () => Promise<Result<RegistryCredentials | undefined>>;
  signal?: AbortSignal;
  /** A request that sends or receives nothing for this long fails (default 60 s). */
  idleTimeoutMs?: number;
}

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path on the registry (`/v2/…`) or an absolute URL (an upload's Location). */
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Called as the body goes out, with the bytes written so far. */
  onProgress?: (sent: number) => void;
  /** Answers with more body than this fail (default 8 MiB). */
  maxBytes?: number;
}

export interface RegistryResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

const MAX_REDIRECTS = 5;
const WRITE_SLICE = 256 * 1024;
const CREDENTIALS_HINT = 'Give them with --username and --password-stdin (or the login fields in the Deploy view), or run `docker login <registry>` once.';

/** Plain HTTP (`insecure`) only for a registry on this machine: refused before anything is built or sent otherwise. */
export function checkInsecure(registry: string, insecure: boolean): Result<void> {
  if (!insecure || isLoopbackRegistry(registry)) return ok(undefined);
  return fail(
    'registry-insecure-remote',
    `--insecure (plain HTTP) is only for a registry on this machine, not ${registry}: credentials and the component would cross the network unencrypted.`,
    'Serve the registry over HTTPS (a certificate your system trusts, or NODE_EXTRA_CA_CERTS=<ca.pem>), or reach it through localhost (an SSH tunnel or port-forward).',
  );
}

export class RegistrySession {
  readonly baseUrl: string;
  private authorization: string | undefined;
  private credentials: RegistryCredentials | undefined;
  private credentialsLooked = false;

  constructor(private readonly options: RegistrySessionOptions) {
    this.baseUrl = `${options.insecure ? 'http' : 'https'}://${registryApiHost(options.registry)}`;
    this.credentials = options.credentials;
    this.credentialsLooked = options.credentials !== undefined;
  }

  /** Checks that the registry answers and that we may talk to it (`GET /v2/`), authenticating as it asks. */
  async open(): Promise<Result<void>> {
    const allowed = checkInsecure(this.options.registry, this.options.insecure === true);
    if (!allowed.ok) return allowed;
    const answer = await this.send({ method: 'GET', url: '/v2/' });
    if (!answer.ok) return answer;
    if (answer.value.status === 404) {
      return fail('registry-not-oci', `${this.baseUrl} answered 404 to /v2/: it is not an OCI registry.`, 'Check the host and port of the image reference.');
    }
    if (answer.value.status >= 400) return fail(...this.errorParts(answer.value, 'checking the registry'));
    return ok(undefined);
  }

  /** Sends a request, authenticating and retrying once when the registry answers 401. */
  async send(req: RegistryRequest): Promise<Result<RegistryResponse>> {
    const first = await this.exchange(req);
    if (!first.ok || first.value.status !== 401) return first;
    const challenges = parseAuthChallenges(headerValues(first.value.headers['www-authenticate']));
    const hadAuthorization = this.authorization !== undefined;
    const authenticated = await this.authenticate(challenges, hadAuthorization);
    if (!authenticated.ok) return authenticated;
    const second = await this.exchange(req);
    if (!second.ok || second.value.status !== 401) return second;
    return this.refused(second.value);
  }

  /** The 401 after credentials were sent: wrong credentials, or credentials that may not do this. */
  private refused(response: RegistryResponse): Result<never> {
    const registry = this.options.registry;
    const detail = registryErrorText(response.body);
    if (!this.credentials) {
      return fail('registry-auth-required', `${registry} wants you to log in to ${this.verb()} ${this.options.repository}${detail ? ` (${detail})` : ''}.`, CREDENTIALS_HINT);
    }
    if (/insufficient_scope|denied/i.test(`${detail} ${headerValues(response.headers['www-authenticate']).join(' ')}`)) {
      return fail('registry-denied', `${registry} does not let ${this.who()} ${this.verb()} ${this.options.repository}${detail ? ` (${detail})` : ''}.`, 'Check the repository name, and that the account (or token) has write access to it: on GitHub, a token with write:packages.');
    }
    return fail('registry-auth-failed', `${registry} refused the credentials of ${this.who()}${detail ? ` (${detail})` : ''}.`, 'Check the user name and password (or token); with a Docker config, run `docker login` again.');
  }

  private verb(): string {
    return this.options.actions.includes('push') ? 'push to' : 'pull';
  }

  private who(): string {
    const c = this.credentials;
    return c?.kind === 'basic' ? `"${c.username}"` : 'the identity token';
  }

  private async resolveCredentials(): Promise<Result<RegistryCredentials | undefined>> {
    if (!this.credentialsLooked && this.options.findCredentials) {
      this.credentialsLooked = true;
      const found = await this.options.findCredentials();
      if (!found.ok) return found;
      this.credentials = found.value;
    }
    return ok(this.credentials);
  }

  private async authenticate(challenges: AuthChallenge[], retrying: boolean): Promise<Result<void>> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const credentials = await this.resolveCredentials();
    if (!credentials.ok) return credentials;
    const registry = this.options.registry;
    if (bearer) {
      const realm = bearer.params.realm;
      if (!realm) return fail('registry-auth-unsupported', `${registry} asked for a Bearer token without saying where to get one (no realm).`, 'Report this to the registry\'s operator.');
      const token = await this.fetchToken(realm, bearer.params.service, credentials.value);
      if (!token.ok) return token;
      this.authorization = `Bearer ${token.value}`;
      return ok(undefined);
    }
    if (basic) {
      const c = credentials.value;
      if (!c) return fail('registry-auth-required', `${registry} wants a user name and password to ${this.verb()} ${this.options.repository}.`, CREDENTIALS_HINT);
      if (c.kind !== 'basic') return fail('registry-auth-unsupported', `${registry} asks for a password, but the Docker config has only an identity token for it.`, CREDENTIALS_HINT);
      if (retrying && this.authorization?.startsWith('Basic ')) return fail('registry-auth-failed', `${registry} refused the credentials of "${c.username}".`, 'Check the user name and password; with a Docker config, run `docker login` again.');
      this.authorization = `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
      return ok(undefined);
    }
    const schemes = challenges.map((c) => c.scheme).join(', ') || 'none';
    return fail('registry-auth-unsupported', `${registry} answered 401 asking for an authentication the studio does not speak (${schemes}).`, 'Registries use Basic or Bearer; check that the address is the registry itself, not a login page in front of it.');
  }

  /** A token from the realm (distribution's token protocol): GET with Basic, or POST with a refresh token. */
  private async fetchToken(realm: string, service: string | undefined, credentials: RegistryCredentials | undefined): Promise<Result<string>> {
    const scope = `repository:${this.options.repository}:${this.options.actions.join(',')}`;
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      return fail('registry-auth-unsupported', `${this.options.registry} named a token service that is not a URL: ${realm}.`, 'Report this to the registry\'s operator.');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackRegistry(url.host))) {
      return fail('registry-auth-unsupported', `${this.options.registry} wants credentials sent to ${url.origin}, which is not HTTPS.`, 'Use a registry whose token service is served over HTTPS.');
    }
    let answer: Result<RegistryResponse>;
    if (credentials?.kind === 'identity-token') {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.token, client_id: 'component-studio', scope, ...(service ? { service } : {}) });
      answer = await this.exchange({ method: 'POST', url: url.href, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()) }, false);
    } else {
      if (service) url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      const headers: Record<string, string> = credentials?.kind === 'basic' ? { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}` } : {};
      answer = await this.exchange({ method: 'GET', url: url.href, headers }, false);
    }
    if (!answer.ok) return answer;
    const { status, body } = answer.value;
    if (status === 401 || status === 403) {
      if (!credentials) return fail('registry-auth-required', `${this.options.registry} wants you to log in to ${this.verb()} ${this.options.repository}.`, CREDENTIALS_HINT);
      this.credentials = credentials;
      return fail('registry-auth-failed', `${this.options.registry} refused the credentials of ${this.who()}${registryErrorText(body) ? ` (${registryErrorText(body)})` : ''}.`, 'Check the user name and password (or token); with a Docker config, run `docker login` again.');
    }
    if (status >= 400) return fail('registry-auth-failed', `The token service of ${this.options.registry} answered ${status}${registryErrorText(body) ? `: ${registryErrorText(body)}` : ''}.`, 'Try again; if it persists, check the registry\'s status.');
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { token?: string; access_token?: string };
      const token = parsed.token ?? parsed.access_token;
      if (token) return ok(token);
    } catch {
      // fall through
    }
    return fail('registry-auth-failed', `The token service of ${this.options.registry} answered without a token.`, 'Check that the address is the registry itself.');
  }

  /** One request, following redirects; `withAuth` false for the token service, which gets its own header. */
  private async exchange(req: RegistryRequest, withAuth = true): Promise<Result<RegistryResponse>> {
    const first = registryUrl(req.url, this.baseUrl, this.options.registry);
    if (!first.ok) return first;
    let url = first.value;
    const origin = new URL(this.baseUrl).origin;
    let method = req.method;
    let body = req.body;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = { 'user-agent': 'component-studio', ...req.headers };
      // Credentials go only to the registry itself, never to storage it redirects to.
      if (withAuth && this.authorization && url.origin === origin) headers.authorization = this.authorization;
      const answer = await this.once(method, url, headers, body, req);
      if (!answer.ok) return answer;
      const { status, headers: resHeaders } = answer.value;
      const location = resHeaders.location;
      if ([301, 302, 303, 307, 308].includes(status) && location && (method === 'GET' || method === 'HEAD')) {
        const next = registryUrl(location, url, this.options.registry);
        if (!next.ok) return next;
        url = next.value;
        if (status === 303) method = 'GET';
        body = undefined;
        continue;
      }
      return answer;
    }
    return fail('registry-error', `${this.options.registry} redirected more than ${MAX_REDIRECTS} times.`, 'Check the registry\'s configuration.');
  }

  private once(method: string, url: URL, headers: Record<string, string>, body: Uint8Array | undefined, req: RegistryRequest): Promise<Result<RegistryResponse>> {
    const maxBytes = req.maxBytes ?? 8 * 2 ** 20;
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: Result<RegistryResponse>) => {
        if (settled) return;
        settled = true;
        resolve(result);
      };
      const outgoing = send(url, { method, headers: { ...headers, ...(body ? { 'content-length': String(body.byteLength) } : {}) }, signal: this.options.signal }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            res.destroy();
            settle(fail('registry-error', `${this.options.registry} sent more than ${maxBytes} bytes for ${url.pathname}.`, 'Check the reference; the studio expected a Wasm artifact.'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => settle(ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url: url.href })));
        res.on('error', (err) => settle(this.networkFailure(err, url)));
      });
      outgoing.setTimeout(this.options.idleTimeoutMs ?? 60_000, () => outgoing.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      outgoing.on('error', (err) => settle(this.networkFailure(err, url)));
      if (!body) {
        outgoing.end();
        return;
      }
      if (!req.onProgress) {
        outgoing.end(body);
        return;
      }
      // Slice by slice, so progress follows what the socket took (each write's callback).
      let offset = 0;
      const next = () => {
        if (offset >= body.byteLength) {
          outgoing.end();
          return;
        }
        const slice = body.subarray(offset, Math.min(offset + WRITE_SLICE, body.byteLength));
        offset += slice.byteLength;
        outgoing.write(slice, (err) => {
          if (err) return;
          req.onProgress?.(offset);
          next();
        });
      };
      next();
    });
  }

  private networkFailure(err: Error, url: URL): Result<never> {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const registry = this.options.registry;
    if (err.name === 'AbortError' || code === 'ABORT_ERR') return fail('cancelled', `Talking to ${registry} was cancelled.`);
    if (/^(ERR_SSL|ERR_TLS|EPROTO|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code) || /wrong version number|ssl|certificate/i.test(err.message)) {
      // OpenSSL's "wrong version number": the other side answered in plain HTTP.
      if (/wrong version number|packet length too long/i.test(err.message)) {
        return fail(
          'registry-tls',
          `${url.host} does not speak HTTPS: it answered in plain HTTP.`,
          isLoopbackRegistry(registry)
            ? 'Add --insecure (or tick "Plain HTTP" in the Deploy view): the studio allows plain HTTP for registries on this machine.'
            : 'Use the registry\'s HTTPS address; plain HTTP is allowed only for registries on this machine.',
        );
      }
      return fail('registry-tls', `A secure connection to ${url.host} failed: ${err.message.split('\n')[0]}.`, 'Check the registry\'s certificate; a private CA can be trusted with NODE_EXTRA_CA_CERTS=<ca.pem>.');
    }
    const reasons: Record<string, string> = {
      ECONNREFUSED: 'refused the connection',
      ENOTFOUND: 'is not a known host name',
      EAI_AGAIN: 'could not be looked up (DNS)',
      ETIMEDOUT: 'did not answer in time',
      ECONNRESET: 'closed the connection',
      EHOSTUNREACH: 'cannot be reached',
      ENETUNREACH: 'cannot be reached (no route)',
    };
    const reason = reasons[code];
    if (reason) {
      return fail('registry-unreachable', `${url.host} ${reason}.`, code === 'ECONNRESET' && this.options.insecure ? 'The registry may want HTTPS: try without --insecure.' : 'Check the registry address and port, that the registry runs, and your network or proxy.');
    }
    return fail('registry-unreachable', `Could not talk to ${url.host}: ${messageOf(err)}.`, 'Check the registry address and port, and your network.');
  }

  /** The code, message and hint for an answer that is not what was asked for. */
  errorParts(response: RegistryResponse, doing: string): [string, string, string] {
    const detail = registryErrorText(response.body);
    const registry = this.options.registry;
    const said = detail ? `: ${detail}` : '';
    if (response.status === 403) return ['registry-denied', `${registry} refused ${doing} (403)${said}.`, 'Check that the account (or token) has write access to the repository.'];
    if (response.status === 404) return ['registry-not-found', `${registry} has no ${this.options.repository} (404 while ${doing})${said}.`, 'Check the repository name and tag.'];
    if (response.status === 400 && /http request to an https server/i.test(response.body.toString('utf8'))) {
      return ['registry-tls', `${registry} speaks HTTPS, not plain HTTP.`, 'Remove --insecure (untick "Plain HTTP").'];
    }
    if (response.status === 413) return ['registry-error', `${registry} refused the upload as too large (413)${said}.`, 'The registry (or a proxy in front of it) limits upload sizes; raise the limit.'];
    return ['registry-error', `${registry} answered ${response.status} while ${doing}${said}.`, 'Try again; if it persists, the registry\'s logs say why.'];
  }
}

export function headerValues(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The registry's own words from a distribution error body (`{"errors":[{"code","message"}]}`). */
export function registryErrorText(body: Buffer): string {
  const text = body.toString('utf8').trim();
  if (!text) return '';
  try {
    const parsed = JSON.parse(text) as { errors?: { code?: string; message?: string; detail?: unknown }[] };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
      return parsed.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ').slice(0, 500);
    }
  } catch {
    // not JSON: a proxy's page, perhaps
  }
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

/** An error value from the parts errorParts returns. */
export function registryError(parts: [string, string, string]): StudioError {
  return { code: parts[0], message: parts[1], hint: parts[2] };
}

/**
 * An address a registry sends to go on at (a redirect, an upload's location), resolved against
 * where it answered from: an http or https URL, or a failure naming what it sent.
 */
export function registryUrl(text: string, base: string | URL, registry: string): Result<URL> {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    return fail('registry-error', `${registry} sent ${JSON.stringify(text.slice(0, 200))} as the address to go on at, which is not a URL.`, 'Check that the address is the registry itself, not a proxy or a login page in front of it.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return fail('registry-error', `${registry} sent ${JSON.stringify(text.slice(0, 200))} as the address to go on at, which is not http or https.`, 'Check that the address is the registry itself, not a proxy or a login page in front of it.');
  }
  return ok(url);
}
