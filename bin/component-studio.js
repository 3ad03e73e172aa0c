#!/usr/bin/env node
// Runs the compiled CLI (dist/cli.mjs, made by `npm run build`; the published package ships
// it). In a clone that has not built it yet, or with COMPONENT_STUDIO_FROM_SOURCE=1, runs the
// TypeScript sources through tsx instead (a development dependency).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli.mjs', import.meta.url);
if (existsSync(compiled) && !process.env.COMPONENT_STUDIO_FROM_SOURCE) {
  await import(compiled.href);
} else {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport('../runtime/cli.ts', import.meta.url);
}
