// The studio's own per-project settings: `.wash/studio.yaml`, beside wash's config, which
// wash never reads. What only the studio does goes here (how instances are used, and what
// later issues add: outbound HTTP, the component's environment, ...), so wash's config stays
// wash's. Validated like wash's config: errors name the file and the key path, unknown keys
// are warnings. One schema entry per setting; the session decides what each one does.
//
// The studio writes this file too (a switch in the UI), keeping what a person wrote in it:
// other keys, comments and layout.
import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { z } from 'zod';
import { fail, ok, type Result } from '../errors.ts';
import { invalidSettings, readSettingsFile, readSettingsText } from './config-file.ts';
import { validateWith } from './config-schema.ts';
import { pathExists } from '../path-exists.ts';
import { HTTP_TOKEN, unsendableHeaderChar } from '../http-token.ts';

/** Values a person writes as numbers or booleans are read as their text (`PORT: 8080` is "8080"). */
const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A header a response can carry: a name HTTP allows (a token), and a value Node sends. */
const responseHeaders = z.record(z.string(), scalar).superRefine((headers, context) => {
  for (const [name, value] of Object.entries(headers)) {
    if (!HTTP_TOKEN.test(name)) {
      context.addIssue({ code: 'custom', path: [name], message: 'expected a header name: letters, digits and !#$%&\'*+.^_`|~- only, no spaces (one "name: value" per line)' });
    }
    const bad = unsendableHeaderChar(String(value));
    if (bad) context.addIssue({ code: 'custom', path: [name], message: `the value has ${bad}, which an HTTP header cannot carry: percent-encode it` });
  }
});

/** A rule that answers an outbound request instead of the network (network/stand-ins.ts). */
const standIn = z
  .strictObject({
    /** `METHOD URL-GLOB` (or `* URL-GLOB`, or just the glob): `*` matches any run of characters. */
    match: z.string().regex(/^\s*(?:(?:[A-Za-z]+|\*)\s+)?(?:https?|\*):\/\/\S*\s*$/, 'expected a method (or *) and a URL glob, e.g. "GET https://example.com/*"'),
    status: z.number().int().min(100).max(599).optional(),
    headers: responseHeaders.optional(),
    body: z.string().optional(),
    /** Relative to the project. */
    body_file: z.string().min(1).optional(),
    forward: z.string().regex(/^https?:\/\/\S+$/, 'expected an http:// or https:// URL, e.g. http://127.0.0.1:9000').optional(),
  })
  .refine((rule) => [rule.body, rule.body_file, rule.forward].filter((v) => v !== undefined).length <= 1, { message: 'set at most one of body, body_file and forward' })
  .refine((rule) => rule.forward === undefined || (rule.status === undefined && rule.headers === undefined), {
    message: 'a stand-in that forwards answers with what the server answers: status and headers do not apply',
  });

export const studioSettingsSchema = z.strictObject({
  /**
   * `reuse`: an instance serves request after request (state survives between them). `fresh`:
   * a new instance for every request, as wash rc.6 does.
   */
  instances: z.enum(['reuse', 'fresh']).optional(),
  /** Components' outbound HTTP: offline mode, extra CAs, stand-ins (network/outbound-service.ts). */
  outbound: z
    .strictObject({
      offline: z.boolean().optional(),
      /** PEM files, relative to the project, trusted besides the system's CAs. */
      ca_files: z.array(z.string().min(1)).optional(),
      stand_ins: z.array(standIn).optional(),
    })
    .optional(),
  /** wasi:sockets in the workload's virtual loopback (network/socket-service.ts). */
  sockets: z
    .strictObject({
      /**
       * A connection to 127.0.0.1 or ::1 on a port no service of the workload listens on goes
       * to this machine's own loopback (true, the default: a local database stays reachable),
       * or is refused, as wash does (false).
       */
      host_loopback: z.boolean().optional(),
    })
    .optional(),
  /** The components' environment variables (wasi:cli/environment). */
  env: z.record(z.string().regex(/^[^=\0]+$/, 'a variable name cannot hold = or NUL'), scalar).optional(),
});

export type StudioSettings = z.infer<typeof studioSettingsSchema>;

/** `env` as the components see it: names and values as text, in the file's order. */
export function environmentFrom(settings: StudioSettings): [string, string][] {
  return Object.entries(settings.env ?? {}).map(([name, value]) => [name, String(value)]);
}

export const STUDIO_SETTINGS_FILE = 'studio.yaml';

const KIND = { topLevelKeys: 'instances, outbound, sockets, env', doc: 'docs/projects.md (Studio settings)', invalidCode: 'studio-settings-invalid' };

/** Where a project's studio settings live. */
export function studioSettingsPath(root: string): string {
  return join(root, '.wash', STUDIO_SETTINGS_FILE);
}

/** Reads and checks `.wash/studio.yaml`; no file is no settings. */
export async function loadStudioSettings(root: string): Promise<Result<{ path: string; settings: StudioSettings; warnings: string[] }>> {
  const path = studioSettingsPath(root);
  if (!(await pathExists(path))) return ok({ path, settings: {}, warnings: [] });
  const read = await readSettingsFile(path, KIND);
  if (!read.ok) return read;
  const { value, errors, warnings } = validateWith(studioSettingsSchema, read.value);
  if (!value) return { ok: false, error: invalidSettings('studio-settings-invalid', path, errors, 'Fix the keys named above; docs/projects.md (Studio settings) lists every key and its values.') };
  return ok({ path, settings: value, warnings: warnings.map((w) => `${path}: ${w.path}: ${w.message}`) });
}

const NEW_FILE_HEADER = ' Component Studio\'s own settings for this project; wash does not read this file.\n See docs/projects.md (Studio settings) in Component Studio for every key.';

/**
 * Sets one top-level key in `.wash/studio.yaml`, creating the file (and `.wash/`) if needed
 * and keeping everything else in it as it was. The file is replaced through a rename, so a
 * reader never sees half of it.
 */
export async function saveStudioSetting<K extends keyof StudioSettings>(root: string, key: K, value: NonNullable<StudioSettings[K]>): Promise<Result<string>> {
  return saveStudioSettingAt(root, [key], value);
}

/** Sets the value at a key path (e.g. `outbound.stand_ins`), keeping the rest of the file, its comments included. */
export async function saveStudioSettingAt(root: string, path: readonly string[], value: unknown): Promise<Result<string>> {
  const file = studioSettingsPath(root);
  let text = '';
  try {
    text = await readSettingsText(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return unwritable(file, err);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    return fail('studio-settings-unwritable', `${file} is not valid YAML, so the studio will not rewrite it: ${doc.errors[0]!.message.split('\n')[0]}`, 'Fix the file (or delete it), then try again.');
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    return fail('studio-settings-unwritable', `${file}: the top level must be a mapping of keys (${KIND.topLevelKeys}), so the studio will not rewrite it.`, 'Fix the file (or delete it), then try again.');
  }
  if (text.trim() === '') doc.commentBefore = NEW_FILE_HEADER;
  doc.setIn(path, value);
  // A link (to settings shared between projects, say) stays a link: the file it leads to is replaced.
  const target = await realpath(file).catch(() => file);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(temp, doc.toString());
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    return unwritable(file, err);
  }
  return ok(file);
}

function unwritable(path: string, err: unknown): Result<never> {
  return fail('studio-settings-unwritable', `Cannot write ${path}: ${(err as Error).message}.`, 'Check that the project\'s .wash folder is writable, then try again.');
}
