// Building a project: which builder the config asks for (dev.command, which `wash dev` runs
// instead of build.command; else build.command; else the built-in JS/TS builder) and where
// the component goes. The builders themselves
// live in runtime/builders/.
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join, relative, resolve } from 'node:path';
import { buildJsComponent } from '../builders/js-component-builder.ts';
import { DEFAULT_ENTRIES } from '../project/project-marks.ts';
import { runBuildCommand } from '../builders/command-builder.ts';
import { ok, type StudioError } from '../errors.ts';
import { isWithin } from '../path-within.ts';
import type { LogBus } from '../logs/log-bus.ts';
import { STUDIO_DEFAULTS, type Project } from '../project/project-config.ts';
import type { CycleResult } from './session-events.ts';
import { pathExists } from '../path-exists.ts';

export type Builder = 'componentize-js' | 'command';
export type BuildCommandKey = 'build.command' | 'dev.command';

/** The command a dev session builds with, as `wash dev` picks it: dev.command over build.command. */
export function buildCommandOf(project: Project): { command: string; configKey: BuildCommandKey } | undefined {
  // A blank command is no command, as it always was for build.command: the JS/TS builder builds.
  const dev = project.config.dev?.command;
  if (dev?.trim()) return { command: dev, configKey: 'dev.command' };
  const build = project.config.build?.command;
  return build?.trim() ? { command: build, configKey: 'build.command' } : undefined;
}

export interface ProjectBuild {
  project: Project;
  logs: LogBus;
  /** The studio's cache folder; the JS/TS builder keeps its builds in it. */
  cacheDir: string;
  signal: AbortSignal;
  /** Called once the builder is chosen, before it runs; `configKey` names the command's key. */
  onStart: (builder: Builder, configKey?: BuildCommandKey) => void;
}

/** `build.component_path` relative to the root, else .wash/build/<project name>.wasm. */
export function componentPathOf(project: Project): string {
  return resolve(project.root, project.config.build?.component_path || STUDIO_DEFAULTS['build.component_path'](project.name));
}

/** Files of the workload besides the project's component: dev.components and dev.service_file. */
function otherComponentPaths(project: Project): string[] {
  const dev = project.config.dev;
  return [...(dev?.components ?? []).map((c) => resolve(project.root, c.file)), ...(dev?.service_file ? [resolve(project.root, dev.service_file)] : [])];
}

/** What a build writes: the component path, and the other component files it may build too. */
export function outputPathsOf(project: Project): string[] {
  return [componentPathOf(project), ...otherComponentPaths(project)];
}

/**
 * The worlds of a project's wit/ folder, by name. With more than one, the built-in builder
 * builds each component file named like a world (`dist/api.wasm` from world `api`), from
 * `src/<world>.ts` (or .js) when there is one, else the usual entry: so one project can hold
 * a workload's components, as a service beside its HTTP component.
 */
async function worldNames(root: string): Promise<Set<string>> {
  const names = new Set<string>();
  let files: string[];
  try {
    files = (await readdir(join(root, 'wit'))).filter((f) => f.endsWith('.wit'));
  } catch {
    return names; // no wit/ folder: the builder says what is missing
  }
  for (const file of files) {
    const text = await readFile(join(root, 'wit', file), 'utf8').catch(() => '');
    for (const match of text.matchAll(/^\s*world\s+([a-z][a-z0-9-]*)\s*\{/gm)) names.add(match[1]!);
  }
  return names;
}

/** The world and entry for a component file named like one of `worlds`, else none (the defaults). */
async function worldFor(root: string, file: string, worlds: Set<string>): Promise<{ world?: string; entry?: string }> {
  const name = basename(file, extname(file));
  if (!worlds.has(name)) return {};
  for (const ext of ['.ts', '.js']) {
    const entry = join('src', `${name}${ext}`);
    if (await pathExists(join(root, entry))) return { world: name, entry };
  }
  return { world: name };
}

export async function buildProject(build: ProjectBuild): Promise<CycleResult<{ wasmPath: string; cached: boolean }>> {
  const { project, logs, signal } = build;
  const componentPath = componentPathOf(project);
  const command = buildCommandOf(project);
  if (command) {
    build.onStart('command', command.configKey);
    const built = await runBuildCommand({ ...command, cwd: project.root, env: project.config.build?.env ?? {}, componentPath, logs, signal });
    if (!built.ok) return built;
    return ok({ wasmPath: built.value.wasmPath, cached: false });
  }
  const compiled = await compiledLanguageProject(project);
  if (compiled) return { ok: false, error: compiled };
  build.onStart('componentize-js');
  const worlds = await worldNames(project.root);
  // Other component files are built too when the project has a world for each (one at a
  // time: componentize-js needs ~800 MB per build); any other file is the user's to provide.
  const others = worlds.size > 1 ? otherComponentPaths(project).filter((file) => isWithin(project.root, file) && worlds.has(basename(file, extname(file)))) : [];
  let cached = true;
  let wasmPath = componentPath;
  for (const outFile of [componentPath, ...others]) {
    const chosen = worlds.size > 1 ? await worldFor(project.root, outFile, worlds) : {};
    const built = await buildJsComponent(
      { projectDir: project.root, outFile, cacheDir: join(build.cacheDir, 'builds'), mapsCacheRoot: build.cacheDir, ...chosen },
      (progress) => {
        // The other phases show as the build's own progress; these are worth a line of their own.
        const level = progress.phase === 'waiting' ? 'info' : progress.phase === 'slow' || progress.phase === 'damaged' ? 'warn' : undefined;
        if (level) logs.append({ level, source: 'build', text: progress.message });
      },
      signal,
    );
    if (!built.ok) {
      if (built.output) logs.append({ level: 'error', source: 'build', text: built.output });
      const which = outFile === componentPath ? '' : `${relative(project.root, outFile)}: `;
      return { ok: false, error: { ...built.error, message: `${which}${built.error.message}` }, output: built.output };
    }
    cached &&= built.cached;
    if (outFile === componentPath) wasmPath = built.wasmPath;
  }
  return ok({ wasmPath, cached });
}

/**
 * A Rust or Go project with no build command: the built-in builder builds JavaScript and
 * TypeScript only, and like wash 2.0 the studio infers no other toolchain. Said as such, with
 * the config that builds it, rather than as a missing JavaScript entry file.
 */
async function compiledLanguageProject(project: Project): Promise<StudioError | undefined> {
  const { root } = project;
  const has = (file: string) => pathExists(join(root, file));
  // A JavaScript project that also holds Rust or Go (a workspace, say) is built as JavaScript.
  for (const file of ['package.json', ...DEFAULT_ENTRIES]) if (await has(file)) return undefined;
  // Older wash configs named the toolchain (build.rust, build.tinygo); wash 2.0.0-rc.6 reads neither.
  const legacy = ['rust', 'tinygo'].filter((key) => Object.hasOwn(project.config.build ?? {}, key)).map((key) => `build.${key}`);
  const legacyNote = legacy.length > 0 ? ` (${legacy.join(' and ')}, from wash before 2.0.0-rc.6, is not read)` : '';
  const cargo = await readFile(join(root, 'Cargo.toml'), 'utf8').catch(() => undefined);
  if (cargo !== undefined) {
    const crate = /^\s*name\s*=\s*"([^"]+)"/m.exec(cargo.slice(Math.max(0, cargo.indexOf('[package]'))))?.[1] ?? project.name;
    return {
      code: 'no-build-command',
      message: `${root} is a Rust project (Cargo.toml) and its config has no build.command${legacyNote}. The studio builds JavaScript and TypeScript by itself, and other languages with the project's own command, as wash does.`,
      hint:
        `Add to .wash/config.yaml:\n  build:\n    command: cargo build --target wasm32-wasip2 --release\n` +
        `    component_path: target/wasm32-wasip2/release/${crate.replaceAll('-', '_')}.wasm\n` +
        `(rustup target add wasm32-wasip2 installs the target once.)`,
    };
  }
  if (await has('go.mod')) {
    return {
      code: 'no-build-command',
      message: `${root} is a Go project (go.mod) and its config has no build.command${legacyNote}. The studio builds JavaScript and TypeScript by itself, and other languages with the project's own command, as wash does.`,
      hint:
        `Add to .wash/config.yaml the command that builds the component with TinyGo, and where it writes it:\n  build:\n` +
        `    command: tinygo build -target=wasip2 --wit-package ./wit --wit-world <world> -o build/component.wasm .\n` +
        `    component_path: build/component.wasm`,
    };
  }
  return undefined;
}
