export interface BuiltStudio {
  dir: string;
  cli: string;
  main: string;
  preload: string;
  workers: string[];
}
export function buildStudio(): Promise<BuiltStudio>;
