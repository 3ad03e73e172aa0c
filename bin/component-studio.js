#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so the studio runs from a clone with no build step.
import { tsImport } from 'tsx/esm/api';

await tsImport('../runtime/cli.ts', import.meta.url);
