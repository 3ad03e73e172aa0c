// The files a build writes: the component path and every dev.components file. A build writing
// them must never start another build (wherever they are, ignored folder or not), or a
// project whose output sits among its sources rebuilds forever. A change a build did not make
// (a component copied in by hand, with `build.command: "true"`) still reloads.
//
// A build's writes are told apart by time and by what is on disk: while a build runs, every
// change to an output is its own; when it ends, each output's size, mtime and inode are
// recorded, and a later change event whose file still looks like that is the build's, late.
import { statSignature } from '../watch/file-signature.ts';

/** How long after a build its writes may still be reported. */
const BUILD_ECHO_MS = 1000;

export class BuildOutputs {
  private paths: string[] = [];
  private running = 0;
  private lastEndedAt = -Infinity;
  private readonly written = new Map<string, string>();

  /** `onPaths` learns the outputs whenever they change, to watch them wherever they are. */
  constructor(private readonly onPaths: (paths: string[]) => void) {}

  /** The outputs as the config names them now (before a build, or when the config is read). */
  expect(paths: string[]): void {
    if (paths.length === this.paths.length && paths.every((p, i) => p === this.paths[i])) return;
    this.paths = [...paths];
    this.onPaths(this.paths);
  }

  /** A build starts: until `ended`, whatever happens to the outputs is its doing. */
  started(paths: string[]): void {
    this.expect(paths);
    this.running++;
  }

  /** The build ended, whatever its outcome: the outputs as they are now are what it wrote. */
  async ended(): Promise<void> {
    try {
      for (const path of this.paths) this.written.set(path, await statSignature(path));
    } finally {
      this.running--;
      this.lastEndedAt = performance.now();
    }
  }

  /**
   * Whether a build runs, or ended a moment ago (its writes are reported late). A source a
   * build rewrites with the same bytes in that time (generated bindings, say) is the build's
   * doing: were it a change, each build would start the next, for ever.
   */
  get building(): boolean {
    return this.running > 0 || performance.now() - this.lastEndedAt < BUILD_ECHO_MS;
  }

  get all(): string[] {
    return this.paths;
  }

  isOutput(path: string): boolean {
    return this.paths.includes(path);
  }

  /** Whether a change of an output was made by something other than a build. */
  async changedOutsideABuild(path: string): Promise<boolean> {
    if (this.running > 0) return false;
    return (await statSignature(path)) !== this.written.get(path);
  }
}
