// Validation of command arguments as they arrive from a transport. A WebSocket frame or an
// IPC message is untrusted JSON: each command's arguments are parsed against a schema here
// before the service sees them, so handlers work with the types of api.ts and a bad call is
// answered with a `bad-arguments` ApiError that names the field.
import { z } from 'zod';
import { HTTP_TOKEN } from '../http-token.ts';
import type { CommandArgs, CommandName } from './api.ts';

const none = z.object({});
const name = z.string().min(1).max(4096);
/** A bucket to read or write in: "" is the bucket wash keeps in the key-value folder itself. */
const bucket = z.string().max(4096);
const base64 = z.string().max(512 * 2 ** 20).regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const level = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'critical']);
const seq = z.number().int().nonnegative();
const limit = z.number().int().positive().max(100_000);
// Checked for sense (empty, too long, several lines) by snapshotFolderName, whose messages say why.
const snapshotName = z.string().max(4096);
// RFC 9110 token characters, so a typo in the playground is a clear error, not a garbled request.
const method = z.string().regex(HTTP_TOKEN, 'must be an HTTP method such as GET or POST');

const deployTarget = z.object({
  repository: z.string().min(1).max(1000),
  tag: z.string().min(1).max(128),
  replicas: z.number().int().nonnegative().max(10_000).optional(),
  host: z.string().max(253).optional(),
});
const manifestText = z.string().max(4 * 2 ** 20);
const trafficFilter = z.object({
  statusClasses: z.array(z.number().int().min(0).max(9)).max(10).optional(),
  methods: z.array(z.string().max(64)).max(50).optional(),
  text: z.string().max(10_000).optional(),
  build: seq.optional(),
  hasLogs: z.boolean().optional(),
  origins: z.array(z.enum(['client', 'playground', 'replay', 'check', 'imported'])).max(5).optional(),
  maxId: seq.optional(),
});
const headerNames = z.array(z.string().min(1).max(200)).max(200);

export const commandArgs: { [C in CommandName]: z.ZodType<CommandArgs<C>> } = {
  'project.get': none,
  'project.open': z.object({ path: z.string().min(1), confirm: z.boolean().optional() }),
  'project.rebuild': none,
  'project.examples': none,
  'project.recent': none,
  'project.create': z.object({ path: z.string().min(1), example: z.string().min(1).max(200).optional() }),
  'workloads.list': none,
  'workloads.restart': z.object({ name }),
  'workloads.stop': z.object({ name }),
  'workloads.setInstances': z.object({ mode: z.enum(['reuse', 'fresh']) }),
  'logs.query': z.object({
    minLevel: level.optional(),
    sources: z.array(z.string()).max(1000).optional(),
    text: z.string().max(10_000).optional(),
    stream: z.enum(['stdout', 'stderr']).optional(),
    afterSeq: seq.optional(),
    beforeSeq: seq.optional(),
    limit: limit.optional(),
  }),
  'logs.clear': none,
  'kv.buckets': none,
  'kv.createBucket': z.object({ bucket: name }),
  'kv.deleteBucket': z.object({ bucket: name }),
  'kv.list': z.object({ bucket, prefix: z.string().optional(), cursor: z.string().optional(), limit: limit.optional() }),
  'kv.get': z.object({ bucket, key: z.string(), limit: z.number().int().positive().optional() }),
  'kv.set': z.object({ bucket, key: z.string(), value: base64 }),
  'kv.delete': z.object({ bucket, key: z.string() }),
  'kv.increment': z.object({ bucket, key: z.string(), delta: z.number().int() }),
  'blob.containers': none,
  'blob.createContainer': z.object({ container: name }),
  'blob.deleteContainer': z.object({ container: name }),
  'blob.list': z.object({
    container: name,
    prefix: z.string().optional(),
    delimiter: z.string().max(16).optional(),
    cursor: z.string().optional(),
    limit: limit.optional(),
  }),
  'blob.get': z.object({ container: name, name, start: seq.optional(), end: seq.optional() }),
  'blob.put': z.object({ container: name, name, data: base64, offset: seq, last: z.boolean() }),
  'blob.delete': z.object({ container: name, names: z.array(name).max(100_000) }),
  'http.send': z.object({
    method,
    url: z.string().min(1).max(64 * 1024),
    headers: z.array(z.tuple([z.string(), z.string()])).max(1000),
    body: base64.optional(),
    timeoutMs: z.number().positive().max(3_600_000).optional(),
  }),
  'settings.get': none,
  'settings.setOutbound': z.object({
    offline: z.boolean().optional(),
    standIns: z
      .array(
        z.object({
          match: z.string().min(1).max(8192),
          status: z.number().int().optional(),
          headers: z.record(z.string(), z.string()).optional(),
          body: z.string().max(16 * 2 ** 20).optional(),
          body_file: z.string().max(4096).optional(),
          forward: z.string().max(8192).optional(),
        }),
      )
      .max(1000)
      .optional(),
  }),
  'deploy.get': deployTarget,
  'deploy.validate': z.object({ manifest: manifestText }),
  'deploy.push': deployTarget.extend({ insecure: z.boolean().optional(), username: z.string().max(1000).optional(), password: z.string().max(100_000).optional() }),
  'deploy.apply': z.object({ manifest: manifestText, context: z.string().min(1).max(1000).optional() }),
  'ui.state.get': z.object({ key: z.string().min(1).max(200) }),
  'ui.state.set': z.object({ key: z.string().min(1).max(200), value: z.unknown() }),
  'snapshots.list': none,
  'snapshots.save': z.object({ name: snapshotName, note: z.string().max(10_000).optional(), volumes: z.array(z.string().max(4096)).max(100).optional() }),
  'snapshots.restore': z.object({ name: snapshotName }),
  'snapshots.delete': z.object({ name: snapshotName }),
  'snapshots.compare': z.object({ from: snapshotName.optional(), to: snapshotName.optional() }),
  'snapshots.value': z.object({ source: snapshotName.optional(), path: z.string().min(1).max(8192), start: seq.optional(), end: seq.optional() }),
  'snapshots.export': z.object({ name: snapshotName, file: z.string().min(1).max(4096).optional(), overwrite: z.boolean().optional() }),
  'snapshots.download': z.object({ download: z.string().min(1).max(100), start: seq, end: seq }),
  'snapshots.upload': z.object({ upload: z.string().min(1).max(100).optional(), data: base64, offset: seq, last: z.boolean() }),
  'snapshots.inspect': z.object({ upload: z.string().min(1).max(100).optional(), file: z.string().min(1).max(4096).optional() }),
  'snapshots.import': z.object({ staged: z.string().min(1).max(100).optional(), file: z.string().min(1).max(4096).optional(), name: snapshotName.optional() }),
  'snapshots.discardImport': z.object({ staged: z.string().min(1).max(100) }),
  'snapshots.seed': z.object({ replace: z.boolean().optional() }),
  'traffic.query': z.object({ filter: trafficFilter.optional(), offset: seq.optional(), limit: z.number().int().positive().max(10_000).optional() }),
  'traffic.get': z.object({ id: seq }),
  'traffic.clear': none,
  'traffic.settings': none,
  'traffic.configure': z.object({ enabled: z.boolean().optional(), bodyLimit: z.number().int().nonnegative().max(64 * 2 ** 20).optional() }),
  'traffic.exportHar': z.object({ ids: z.array(seq).max(100_000).optional(), filter: trafficFilter.optional() }),
  'traffic.importHar': z.object({ har: z.string().min(1).max(256 * 2 ** 20) }),
  'traffic.replay': z.object({ ids: z.array(seq).max(10_000).optional(), build: seq.optional(), data: z.enum(['live', 'copy']).optional(), ignoreHeaders: headerNames.optional() }),
  'checks.list': none,
  'checks.pin': z.object({ ids: z.array(seq).min(1).max(1000), kind: z.enum(['exact', 'json', 'regex', 'status']), file: z.string().min(1).max(200).optional(), ignoreHeaders: headerNames.optional() }),
  'checks.save': z.object({ file: z.string().min(1).max(200), text: z.string().max(64 * 2 ** 20) }),
  'checks.delete': z.object({ file: z.string().min(1).max(200), index: seq.optional() }),
  'checks.run': none,
};

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(commandArgs, value);
}

/** Parses a command's arguments, or describes what is wrong with them. */
export function parseArgs<C extends CommandName>(command: C, args: unknown): { ok: true; value: CommandArgs<C> } | { ok: false; message: string } {
  const parsed = commandArgs[command].safeParse(args ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.slice(0, 3).map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  return { ok: false, message: issues.join('; ') };
}
