// The session's side of the HTTP gateway: which address it listens on (CLI flags over
// dev.address over 127.0.0.1:8000), whether it serves HTTPS (dev.tls_*), the URLs each
// workload answers at, and which workload a request's Host names. The gateway itself
// (runtime/gateway) knows nothing of projects or versions.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createSecureContext } from 'node:tls';
import { fail, messageOf, ok, type Result } from '../errors.ts';
import { HttpGateway, type ExchangeTap, type Route } from '../gateway/http-gateway.ts';
import { loggerFor, type LogBus } from '../logs/log-bus.ts';
import { tlsFilesOf } from '../project/config-paths.ts';
import { STUDIO_DEFAULTS, type WashConfig } from '../project/project-config.ts';
import type { Workload } from '../workloads/workload.ts';
import type { Target } from './session-target.ts';
import type { Version } from './session-version.ts';

export interface SessionGatewayOptions {
  /** From --host and --port: win over dev.address. */
  host?: string;
  port?: number;
  bodyLimitBytes: number;
  logs: LogBus;
  /** The version serving now, read on every request. */
  version: () => Version | undefined;
  /** Workloads stopped by hand answer 503. */
  isStopped: (name: string) => boolean;
  /** Sees every request (the traffic inspector's capture). */
  tap?: ExchangeTap;
}

export class SessionGateway {
  private gateway: HttpGateway | undefined;
  private address: string | undefined;
  /** What it was asked to listen on (a port 0 becomes a free one). */
  private bound: { host: string; port: number } | undefined;

  constructor(private readonly options: SessionGatewayOptions) {}

  /** The gateway's URL once it listens, e.g. http://127.0.0.1:8000/. */
  get url(): string | undefined {
    return this.address;
  }

  /**
   * The address a config asks for when it is not the one the gateway listens on: it binds
   * once, at the first version that serves HTTP, so the change waits for a restart.
   */
  movedBy(config: WashConfig | undefined): string | undefined {
    if (!this.bound) return undefined;
    const wanted = this.addressOf(config);
    return wanted.host !== this.bound.host || (wanted.port !== this.bound.port && wanted.port !== 0) ? `${wanted.host}:${wanted.port}` : undefined;
  }

  get listening(): boolean {
    return this.gateway !== undefined;
  }

  /** The TLS files read at the last listen or reload, to tell an edit from a rebuild that changed nothing of them. */
  private tlsSeen: string | undefined;

  /**
   * Applies an edit of dev.tls_* to the listening gateway: a new certificate and key are taken
   * at once (open connections keep theirs). Returns what to say: an error that keeps the old
   * ones, or that switching between HTTP and HTTPS waits for a restart; undefined otherwise.
   */
  async reloadTls(config: WashConfig | undefined, target: Target): Promise<{ level: 'info' | 'warn'; text: string } | undefined> {
    const gateway = this.gateway;
    if (!gateway) return undefined;
    const tls = await tlsOf(config, target);
    if (!tls.ok) return { level: 'warn', text: `${tls.error.message} The gateway keeps the certificate it had. ${tls.error.hint ?? ''}`.trim() };
    if ((tls.value !== undefined) !== gateway.secure) {
      return { level: 'warn', text: `The config now asks for ${tls.value ? 'HTTPS' : 'plain HTTP'}, but the gateway keeps serving ${gateway.secure ? 'HTTPS' : 'plain HTTP'} at ${this.address}: the scheme is taken when the studio starts. Restart the studio to switch.` };
    }
    if (!tls.value) return undefined;
    const seen = fingerprint(tls.value);
    if (seen === this.tlsSeen) return undefined;
    gateway.setTls(tls.value);
    this.tlsSeen = seen;
    return { level: 'info', text: 'The gateway serves the certificate and key of dev.tls_* as they are now; connections already open keep the old ones.' };
  }

  /** Starts listening where the config says; resolves with the URL. Every failure is a value. */
  async listen(config: WashConfig | undefined, target: Target): Promise<Result<string>> {
    const { host, port } = this.addressOf(config);
    const tls = await tlsOf(config, target);
    if (!tls.ok) return tls;
    const gateway = new HttpGateway({
      host,
      port,
      bodyLimitBytes: this.options.bodyLimitBytes,
      route: (authority) => this.route(authority),
      log: loggerFor(this.options.logs, 'gateway'),
      ...(tls.value ? { tls: tls.value } : {}),
      ...(this.options.tap ? { tap: this.options.tap } : {}),
    });
    try {
      const address = await gateway.listen();
      this.gateway = gateway;
      if (tls.value) this.tlsSeen = fingerprint(tls.value);
      this.bound = { host, port: port === 0 ? address.port : port };
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const scheme = gateway.secure ? 'https' : 'http';
      this.address = `${scheme}://${shown === '0.0.0.0' ? '127.0.0.1' : shown}:${address.port}/`;
      // The URL shown is this machine's; say that others can reach it too.
      if (!/^(127\.|::1$|::ffff:127\.)/.test(address.address)) {
        loggerFor(this.options.logs, 'gateway').warn(`The gateway listens on ${shown}:${address.port}, so other machines that can reach this one can send it requests. --host 127.0.0.1 (or dev.address) keeps it to this machine.`);
      }
      return ok(this.address);
    } catch (err) {
      return listenFailure(err, host, port);
    }
  }

  /**
   * Whether the address the config asks for can be listened on now: tried, and let go at once,
   * before a build that may take a minute, so a port in use is said before anything is said to
   * be ready. (Another program may still take it meanwhile; listen() then says so.)
   */
  async canListen(config: WashConfig | undefined): Promise<Result<void>> {
    const { host, port } = this.addressOf(config);
    if (port === 0) return ok(undefined);
    const probe = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.listen(port, host, () => resolve());
      });
    } catch (err) {
      return listenFailure(err, host, port);
    } finally {
      if (probe.listening) await new Promise((resolve) => probe.close(resolve));
    }
    return ok(undefined);
  }

  /** See HttpGateway.stopAccepting. */
  stopAccepting(): void {
    this.gateway?.stopAccepting();
  }

  async close(): Promise<void> {
    await this.gateway?.close();
  }

  /** The URLs a workload answers at: the gateway root for the main one, <name>.localhost for others. */
  urlsOf(workload: Workload, version: Version | undefined): string[] {
    if (!this.address || !version) return [];
    if (workload === version.main) return [this.address];
    const url = new URL(this.address);
    return [`${url.protocol}//${workload.info.name}.localhost:${url.port}/`];
  }

  /** CLI flags win over dev.address, which wins over the studio's default, 127.0.0.1:8000. */
  private addressOf(config: WashConfig | undefined): { host: string; port: number } {
    const address = (text: string) => {
      const at = text.lastIndexOf(':');
      return at > 0 ? { host: text.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(text.slice(at + 1)) } : undefined;
    };
    const { host, port } = address(config?.dev?.address ?? '') ?? address(STUDIO_DEFAULTS['dev.address'])!;
    return { host: this.options.host ?? host, port: this.options.port ?? port };
  }

  private route(authority: string): Route {
    const version = this.options.version();
    if (!version) return { unavailable: 'No version of the component is running yet.' };
    const hostname = authority.replace(/:\d+$/, '').toLowerCase();
    const sub = /^([^.]+)\.localhost$/.exec(hostname)?.[1];
    const workload = (sub !== undefined ? version.named.get(sub) : undefined) ?? version.main;
    if (!workload && version.named.size === 0) return { unavailable: noHttp(version) };
    if (!workload) return { unavailable: `No component of this version serves ${sub !== undefined ? `${sub}.localhost` : 'the root'}; the others are at ${[...version.named.keys()].map((n) => `${n}.localhost`).join(', ')}.` };
    if (this.options.isStopped(workload.info.name)) return { unavailable: `${workload.info.name} is stopped. Start it again in the studio's Workloads view, or save a change to rebuild.` };
    return workload;
  }
}

/** What a failed listen on host:port means, and what to do about it. */
function listenFailure(err: unknown, host: string, port: number): Result<never> {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return fail('port-in-use', `Port ${port} on ${host} is already in use.`, 'Stop the other program, or pick another port with --port N (0 picks a free one).');
  if (code === 'EACCES') return fail('port-denied', `Not allowed to listen on ${host}:${port}.`, 'Ports below 1024 need privileges; use a higher --port.');
  return fail('listen-failed', `Could not listen on ${host}:${port}: ${messageOf(err)}.`, 'Check --host and --port (or dev.address).');
}

/**
 * Why a version answers no request: a reload replaced the HTTP component with one that serves
 * none, and its service runs instead (a version with neither does not start).
 */
function noHttp(version: Version): string {
  const service = version.service;
  const exports = service?.linked.at(-1)?.world.exports;
  const runs = service ? ` Its service ${service.name} runs${exports ? ` (it exports ${exports.join(', ')})` : ''}.` : '';
  return `This version (build ${version.build}) serves no HTTP: none of its components exports wasi:http/incoming-handler.${runs} Export wasi:http/incoming-handler@0.2.x from the component's world to serve HTTP here again.`;
}

/** The TLS files' bytes in short, to tell new ones from the same ones read again. */
function fingerprint(material: { cert: Buffer; key: Buffer; ca?: Buffer }): string {
  const hash = createHash('sha256');
  for (const part of [material.cert, material.key, material.ca ?? Buffer.alloc(0)]) hash.update(part).update('\0');
  return hash.digest('hex');
}

/**
 * The certificate and key of dev.tls_*, read and tried, for an HTTPS gateway; undefined for
 * plain HTTP. A missing file, one that vanished since the cycle checked it, or PEM that does
 * not make a usable certificate and key is an error naming the keys, not an exception.
 */
async function tlsOf(config: WashConfig | undefined, target: Target): Promise<Result<{ cert: Buffer; key: Buffer; ca?: Buffer } | undefined>> {
  if (!config || target.kind !== 'project') return ok(undefined);
  const files = await tlsFilesOf(config, target.root);
  if (!files.ok) return files;
  if (!files.value) return ok(undefined);
  const { certPath, keyPath, caPath } = files.value;
  let material: { cert: Buffer; key: Buffer; ca?: Buffer };
  try {
    material = { cert: await readFile(certPath), key: await readFile(keyPath), ...(caPath ? { ca: await readFile(caPath) } : {}) };
  } catch (err) {
    return fail('tls-invalid', `dev.tls_cert_path, dev.tls_key_path: cannot read the TLS files: ${messageOf(err)}.`, 'Check that the files exist and can be read.');
  }
  // createSecureContext takes a CA file with no certificate in it without a word.
  if (material.ca && !material.ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
    return fail('tls-invalid', `dev.tls_ca_path: ${caPath} holds no PEM certificate.`, 'Put the CA certificates in PEM form (-----BEGIN CERTIFICATE-----) in that file, or remove dev.tls_ca_path.');
  }
  try {
    // What https.createServer would do with them, tried here, where a failure can name the keys.
    createSecureContext(material);
  } catch (err) {
    const named = caPath ? `${certPath}, ${keyPath} and ${caPath}` : `${certPath} and ${keyPath}`;
    return fail(
      'tls-invalid',
      `dev.tls_cert_path, dev.tls_key_path${caPath ? ', dev.tls_ca_path' : ''}: ${named} do not make a usable certificate and private key: ${messageOf(err)}.`,
      'Use PEM files: the certificate (and its chain) in dev.tls_cert_path, its unencrypted private key in dev.tls_key_path.',
    );
  }
  return ok(material);
}
