// The schema of wash's project config (rc.6), as the studio validates it. Objects are strict
// so that unknown keys are found; the loader reports those as warnings, since wash may grow
// keys the studio does not know yet.
import { z } from 'zod';

const stringMap = z.record(z.string(), z.string());

const hostInterface = z.strictObject({
  namespace: z.string(),
  package: z.string(),
  interfaces: z.array(z.string()).optional(),
  version: z.string().optional(),
  config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export const washConfigSchema = z.strictObject({
  version: z.union([z.string(), z.number()]).optional(),
  build: z
    .strictObject({
      command: z.string().optional(),
      env: stringMap.optional(),
      component_path: z.string().optional(),
    })
    .optional(),
  dev: z
    .strictObject({
      command: z.string().optional(),
      address: z
        .string()
        .regex(/^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):(\d{1,5})$/, { message: 'must be HOST:PORT, such as 127.0.0.1:8000 or [::1]:8000' })
        .refine((text) => !/:\d+$/.test(text) || Number(text.slice(text.lastIndexOf(':') + 1)) <= 65535, { message: 'has a port over 65535' })
        .optional(),
      service: z.boolean().optional(),
      service_file: z.string().optional(),
      components: z
        .array(z.strictObject({ name: z.string().min(1), file: z.string().min(1) }))
        // Components are linked and routed by name: a second one of a name would silently replace the first.
        .superRefine((components, ctx) => {
          components.forEach(({ name }, i) => {
            if (components.findIndex((c) => c.name === name) < i) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `is "${name}" again: each component needs a name of its own` });
          });
        })
        .optional(),
      volumes: z.array(z.strictObject({ host_path: z.string(), guest_path: z.string() })).optional(),
      host_interfaces: z.array(hostInterface).optional(),
      tls_cert_path: z.string().optional(),
      tls_key_path: z.string().optional(),
      tls_ca_path: z.string().optional(),
      wasi_keyvalue_path: z.string().optional(),
      wasi_blobstore_path: z.string().optional(),
      /** wash adds WebGPU (wasi:webgpu) when true; the studio does not provide it yet and says so. */
      wasi_webgpu: z.boolean().optional(),
    })
    .optional(),
  wit: z
    .strictObject({
      registries: z.unknown().optional(),
      skip_fetch: z.boolean().optional(),
      wit_dir: z.string().optional(),
      sources: z.unknown().optional(),
    })
    .optional(),
});

export type WashConfig = z.infer<typeof washConfigSchema>;
export type HostInterfaceConfig = z.infer<typeof hostInterface>;

export interface ConfigProblem {
  /** Dotted key path, e.g. `dev.components[0].file`. */
  path: string;
  message: string;
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), '');
}

/**
 * Validates a parsed settings file against its schema: errors fail the load, warnings
 * (unknown keys) do not. With only unknown keys the rest is valid; they stay in the object,
 * unread.
 */
export function validateWith<T>(schema: z.ZodType<T>, value: unknown): { value?: T; errors: ConfigProblem[]; warnings: ConfigProblem[] } {
  const result = schema.safeParse(value);
  if (result.success) return { value: result.data, errors: [], warnings: [] };
  const errors: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) warnings.push({ path: keyPath([...issue.path, key]), message: 'unknown key, ignored' });
    } else {
      errors.push({ path: keyPath(issue.path) || '(top level)', message: issue.message.replace(/^Invalid input: /, '') });
    }
  }
  return errors.length === 0 ? { value: value as T, errors, warnings } : { errors, warnings };
}

/** Validates a parsed wash config: errors fail the load, warnings (unknown keys) do not. */
export function validateConfig(value: unknown): { config?: WashConfig; errors: ConfigProblem[]; warnings: ConfigProblem[] } {
  const { value: config, errors, warnings } = validateWith(washConfigSchema, value);
  return config ? { config, errors, warnings } : { errors, warnings };
}
