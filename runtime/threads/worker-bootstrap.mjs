// Worker threads start without the TypeScript loader the main thread may run under, so each
// studio worker starts here and imports its real entry through tsx's scoped loader.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
