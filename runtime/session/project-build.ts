// Building a project: which builder the config asks for (dev.command, which `wash dev` runs
// instead of build.command; else build.command; else the built-in JS/TS builder) and where
// the component goes. The builders themselves
// live in runtime/builders/.
import { join, resolve } from 'node:path';
import { buildJsComponent } from '../builders/js-component-builder.ts';
import { runBuildCommand } from '../builders/command-builder.ts';
import { ok } from '../errors.ts';
import type { LogBus } from '../logs/log-bus.ts';
import { STUDIO_DEFAULTS, type Project } from '../project/project-config.ts';
import type { CycleResult } from './session-events.ts';

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

/** What a build writes: the component path, and the dev.components files it may build too. */
export function outputPathsOf(project: Project): string[] {
  return [componentPathOf(project), ...(project.config.dev?.components ?? []).map((c) => resolve(project.root, c.file))];
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
  build.onStart('componentize-js');
  const built = await buildJsComponent({ projectDir: project.root, outFile: componentPath, cacheDir: join(build.cacheDir, 'builds') }, undefined, signal);
  if (!built.ok) {
    if (built.output) logs.append({ level: 'error', source: 'build', text: built.output });
    return { ok: false, error: built.error, output: built.output };
  }
  return ok({ wasmPath: built.wasmPath, cached: built.cached });
}
