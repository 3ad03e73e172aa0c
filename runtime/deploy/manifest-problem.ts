// One problem found in a deployment manifest: the shape the validator reports and the Studio
// API carries to the Deploy view. Types only, so the renderer may see it through api.ts.

export interface ManifestProblem {
  severity: 'error' | 'warning';
  /** Which YAML document (0-based). */
  document: number;
  /** The field, e.g. `spec.template.spec.hostInterfaces[1].interfaces`; empty for the whole document. */
  path: string;
  message: string;
  /** The config key the field was generated from (`dev.host_interfaces[1]`), when it was. */
  configKey?: string;
  /** 1-based, in the whole text. */
  line?: number;
  column?: number;
}
