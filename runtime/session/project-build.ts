// Building a project: which builder the config asks for (build.command, or the built-in
// JS/TS builder when there is none) and where the component goes. The builders themselves
// live in runtime/builders/.
import { join, resolve } from 'node:path';
import { buildJsComponent } from '../builders/js-component-builder.ts';
import { runBuildCommand } from '../builders/command-builder.ts';
import { ok } from '../errors.ts';
import type { LogBus } from '../logs/log-bus.ts';
import type { Project } from '../project/project-config.ts';
import type { CycleResult } from './session-events.ts';

export type Builder = 'componentize-js' | 'command';

export interface ProjectBuild {
  project: Project;
  logs: LogBus;
  /** The studio's cache folder; the JS/TS builder keeps its builds in it. */
  cacheDir: string;
  signal: AbortSignal;
  /** Called once the builder is chosen, before it runs. */
  onStart: (builder: Builder) => void;
}

/** `build.component_path` relative to the root, else .wash/build/<project name>.wasm. */
export function componentPathOf(project: Project): string {
  const configured = project.config.build?.component_path;
  return configured ? resolve(project.root, configured) : join(project.root, '.wash', 'build', `${project.name}.wasm`);
}

/** What a build writes: the component path, and the dev.components files it may build too. */
export function outputPathsOf(project: Project): string[] {
  return [componentPathOf(project), ...(project.config.dev?.components ?? []).map((c) => resolve(project.root, c.file))];
}

export async function buildProject(build: ProjectBuild): Promise<CycleResult<{ wasmPath: string; cached: boolean }>> {
  const { project, logs, signal } = build;
  const componentPath = componentPathOf(project);
  const command = project.config.build?.command;
  if (command) {
    build.onStart('command');
    const built = await runBuildCommand({ command, cwd: project.root, env: project.config.build?.env ?? {}, componentPath, logs, signal });
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
