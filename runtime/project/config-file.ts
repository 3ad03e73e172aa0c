// Reading one settings file (wash's config.*, the studio's studio.yaml): YAML, JSON or TOML
// as its extension says, into a plain mapping, and wording its schema problems. Errors are
// values naming the file, and for syntax errors the line and column. Must not know what the
// keys mean: each file's schema does.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse as parseToml, TomlError } from 'smol-toml';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { brokenLink } from '../broken-link.ts';
import { fail, ok, type Result, type StudioError } from '../errors.ts';
import type { ConfigProblem } from './config-schema.ts';

/** What a file is for, in its errors: the keys its top level may hold, the doc that lists them, and the code of a wrong shape. */
export interface FileKind {
  topLevelKeys: string;
  doc: string;
  invalidCode: string;
}

/** Settings files are a few KiB; a larger one is a mistake that would hold up every start and reload. */
export const MAX_SETTINGS_BYTES = 1024 * 1024;

/**
 * A settings file's text, read only when it is a regular file of sane size. Opened without
 * blocking, since a FIFO in a file's place would otherwise hang the read (and every reload
 * after it) until some other program wrote to it.
 */
export async function readSettingsText(path: string): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)).catch((err: NodeJS.ErrnoException) => {
    // Windows refuses to open a folder at all.
    throw err.code === 'EISDIR' ? new Error('it is a folder') : err;
  });
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw new Error('it is a folder');
    if (!stats.isFile()) throw new Error('it is not a regular file (a pipe or a device)');
    if (stats.size > MAX_SETTINGS_BYTES) throw new Error(`it is ${stats.size} bytes, over the ${MAX_SETTINGS_BYTES}-byte limit for a settings file`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Reads and parses a settings file; an empty file is an empty mapping. */
export async function readSettingsFile(path: string, kind: FileKind): Promise<Result<Record<string, unknown>>> {
  let text: string;
  try {
    text = await readSettingsText(path);
  } catch (err) {
    return fail('config-unreadable', `${path} cannot be read: ${whyUnreadable(path, err as NodeJS.ErrnoException)}.`, 'Make it a readable settings file of normal size (not a folder, a pipe or a device), or move it away.');
  }
  let value: unknown;
  try {
    value = path.endsWith('.json') ? JSON.parse(text) : path.endsWith('.toml') ? parseToml(text) : parseYaml(text);
  } catch (err) {
    // The position leads the message; the parser's own "at line N, column M:" would say it twice.
    const message = (err as Error).message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return fail('config-unparsable', `${path}${errorPosition(err)}: ${message}`, 'Fix the syntax; the file must be valid YAML, JSON or TOML, as its extension says.');
  }
  if (value === null || value === undefined) return ok({});
  if (typeof value !== 'object' || Array.isArray(value)) {
    return fail(kind.invalidCode, `${path}: the top level must be a mapping of keys (${kind.topLevelKeys}).`, `${kind.doc} lists every key.`);
  }
  return ok(value as Record<string, unknown>);
}

function errorPosition(err: unknown): string {
  if (err instanceof YAMLParseError && err.linePos) return `:${err.linePos[0].line}:${err.linePos[0].col}`;
  if (err instanceof TomlError) return `:${err.line}:${err.column}`;
  return '';
}

/** The error for schema problems in one source (a file, or environment variables), each by key path. */
export function invalidSettings(code: string, source: string, problems: ConfigProblem[], hint: string): StudioError {
  const lines = problems.map((e) => `  ${e.path}: ${e.message}`);
  return fail(code, `${source} has ${problems.length === 1 ? 'an error' : `${problems.length} errors`}:\n${lines.join('\n')}`, hint).error;
}

/** Why a settings file that is there cannot be read, in words. */
function whyUnreadable(path: string, err: NodeJS.ErrnoException): string {
  const link = brokenLink(path, err);
  return link ? `it is ${link}` : err.message;
}
