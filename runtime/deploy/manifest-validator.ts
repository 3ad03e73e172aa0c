// Checks deployment manifests (YAML, one or more documents) before they reach a cluster:
// WorkloadDeployments against the openAPIV3Schema of wasmCloud's vendored CRD (crds/) with ajv,
// closed as `kubectl apply`'s strict field validation closes it, plus the CRD's CEL rules
// (host-interface-rules.ts) and Kubernetes' naming rules; Services against the parts the
// studio generates. Every problem names its field path and, for the editor, its line and
// column; a problem in something generated from the config names the config key too.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import YAML, { LineCounter, isMap, isPair, isScalar, type Document, type Node } from 'yaml';
import { checkHostInterfaceRules, IMPLEMENTED_RULE_MESSAGES } from './host-interface-rules.ts';
import type { ManifestProblem } from './manifest-problem.ts';
import { WORKLOAD_API_VERSION } from './workload-deployment.ts';

export type { ManifestProblem } from './manifest-problem.ts';

export interface ManifestCheck {
  problems: ManifestProblem[];
  /** `Kind/name` of each document, in order. */
  objects: string[];
}

type Schema = Record<string, unknown>;
const CRD_FILE = new URL('./crds/runtime.wasmcloud.dev_workloaddeployments.yaml', import.meta.url);

/** The vendored CRD's schema for v1alpha1, and the CEL rules it carries (by message). */
export function loadWorkloadDeploymentSchema(): { schema: Schema; ruleMessages: string[] } {
  const crd = YAML.parse(readFileSync(CRD_FILE, 'utf8')) as { spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] } };
  const version = crd.spec.versions.find((v) => v.name === 'v1alpha1');
  if (!version) throw new Error(`${CRD_FILE.pathname} has no v1alpha1 version`);
  const ruleMessages: string[] = [];
  walk(version.schema.openAPIV3Schema, (node) => {
    for (const rule of (node['x-kubernetes-validations'] as { message?: string; rule: string }[] | undefined) ?? []) ruleMessages.push(rule.message ?? rule.rule);
  });
  return { schema: version.schema.openAPIV3Schema, ruleMessages };
}

function walk(node: unknown, visit: (node: Schema) => void): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  visit(node as Schema);
  for (const value of Object.values(node)) walk(value, visit);
}

/** Kubernetes' strict field validation, as `kubectl apply` asks for it: unknown fields are errors. */
function closeObjects(schema: Schema): Schema {
  const copy = structuredClone(schema);
  walk(copy, (node) => {
    if (node.properties && typeof node.properties === 'object' && node.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields']) {
      node.additionalProperties = false;
    }
  });
  return copy;
}

const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** The parts of a v1 Service the studio writes; other fields are left to the API server. */
const SERVICE_SCHEMA: Schema = {
  type: 'object',
  required: ['spec'],
  properties: {
    spec: {
      type: 'object',
      properties: {
        type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] },
        clusterIP: { type: 'string' },
        selector: { type: 'object', additionalProperties: { type: 'string' } },
        ports: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['port'],
            properties: {
              name: { type: 'string', pattern: DNS_LABEL, maxLength: 63 },
              port: { type: 'integer', minimum: 1, maximum: 65535 },
              targetPort: { type: ['integer', 'string'] },
              nodePort: { type: 'integer', minimum: 1, maximum: 65535 },
              protocol: { enum: ['TCP', 'UDP', 'SCTP'] },
            },
          },
        },
      },
    },
  },
};

interface Validators {
  workload: ValidateFunction;
  service: ValidateFunction;
  unknownRules: string[];
}

let validators: Validators | undefined;

function compile(): Validators {
  const { schema, ruleMessages } = loadWorkloadDeploymentSchema();
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  const extensions = new Set<string>();
  walk(schema, (node) => Object.keys(node).filter((k) => k.startsWith('x-kubernetes-')).forEach((k) => extensions.add(k)));
  // Kubernetes' own keywords: the CEL rules run in code (host-interface-rules.ts), the rest say how lists and maps merge.
  for (const keyword of extensions) ajv.addKeyword(keyword);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)) });
  return {
    workload: ajv.compile(closeObjects(schema)),
    service: ajv.compile(SERVICE_SCHEMA),
    unknownRules: ruleMessages.filter((m) => !IMPLEMENTED_RULE_MESSAGES.includes(m)),
  };
}

export function validateManifest(text: string, origins: { path: string; configKey: string }[] = []): ManifestCheck {
  validators ??= compile();
  const lineCounter = new LineCounter();
  const docs = YAML.parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const problems: ManifestProblem[] = [];
  const objects: string[] = [];
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, index) => {
    for (const error of doc.errors) {
      problems.push({ severity: 'error', document: index, path: '', message: `YAML: ${error.message.split('\n')[0]}`, ...position(error.pos[0]) });
    }
  });
  if (problems.length > 0) return { problems, objects };
  list.forEach((doc, index) => {
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) return;
    const add = (problem: Omit<ManifestProblem, 'document'>, at?: Node | null) => {
      const range = at?.range;
      problems.push({ ...problem, document: index, ...(range ? position(range[0]) : {}) });
    };
    if (typeof value !== 'object' || Array.isArray(value)) {
      add({ severity: 'error', path: '', message: 'A document must be a Kubernetes object (a mapping with apiVersion, kind and metadata).' }, doc.contents);
      return;
    }
    const object = value as Record<string, unknown>;
    const kind = typeof object.kind === 'string' ? object.kind : '?';
    const metadata = (object.metadata ?? {}) as Record<string, unknown>;
    objects.push(`${kind}/${typeof metadata.name === 'string' ? metadata.name : '?'}`);
    checkMetadata(object, kind, doc, add);
    if (object.apiVersion === WORKLOAD_API_VERSION && kind === 'WorkloadDeployment') {
      const v = validators!.workload;
      if (!v(object)) for (const e of v.errors ?? []) addSchemaError(e, doc, add, 'WorkloadDeployment');
      checkWorkloadRules(object, doc, add);
      for (const message of validators!.unknownRules) add({ severity: 'warning', path: 'spec', message: `The CRD has a rule the studio does not check yet (the API server will): ${message}` });
    } else if (object.apiVersion === 'v1' && kind === 'Service') {
      const v = validators!.service;
      if (!v(object)) for (const e of v.errors ?? []) addSchemaError(e, doc, add, 'Service');
    } else if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      add({ severity: 'error', path: '', message: 'Every document needs apiVersion and kind.' }, doc.contents);
    } else {
      add({ severity: 'warning', path: '', message: `The studio does not check ${object.apiVersion} ${kind}; the cluster will.` }, doc.contents);
    }
  });
  if (list.every((d) => d.contents === null)) problems.push({ severity: 'error', document: 0, path: '', message: 'The manifest is empty.', line: 1, column: 1 });
  for (const problem of problems) {
    const origin = origins.filter((o) => problem.path === o.path || problem.path.startsWith(`${o.path}.`) || problem.path.startsWith(`${o.path}[`)).sort((a, b) => b.path.length - a.path.length)[0];
    if (origin) problem.configKey = origin.configKey;
  }
  return { problems, objects };
}

type Add = (problem: Omit<ManifestProblem, 'document'>, at?: Node | null) => void;

function segments(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

function dotted(parts: readonly (string | number)[]): string {
  return parts.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');
}

/** The node at a path, or the nearest one above it that exists. */
function nodeAt(doc: Document, path: string): Node | null {
  const parts = segments(path);
  for (let n = parts.length; n >= 0; n--) {
    const node = doc.getIn(parts.slice(0, n), true) as Node | undefined;
    if (node && typeof node === 'object' && 'range' in node) return node;
  }
  return doc.contents;
}

/** The key node of `field` in the mapping at `parent`, for an unknown field. */
function keyNode(doc: Document, parent: string, field: string): Node | null {
  const map = parent ? doc.getIn(segments(parent), true) : doc.contents;
  if (isMap(map)) {
    for (const pair of map.items) if (isPair(pair) && isScalar(pair.key) && pair.key.value === field) return pair.key;
  }
  return nodeAt(doc, parent);
}

function addSchemaError(e: ErrorObject, doc: Document, add: Add, kind: string): void {
  const base = dotted(e.instancePath.split('/').filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~'))));
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const field = String(params.missingProperty);
      const path = base ? `${base}.${field}` : field;
      add({ severity: 'error', path, message: `${path} is required.` }, nodeAt(doc, base));
      return;
    }
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const path = base ? `${base}.${field}` : field;
      add({ severity: 'error', path, message: `${path} is not a field of a ${kind} (unknown field; check its spelling and place).` }, keyNode(doc, base, field));
      return;
    }
    case 'enum':
      add({ severity: 'error', path: base, message: `${base} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.` }, nodeAt(doc, base));
      return;
    default:
      add({ severity: 'error', path: base, message: `${base || 'The document'} ${e.message ?? 'is invalid'}.` }, nodeAt(doc, base));
  }
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What the API server checks of every object: a name of the right form. */
function checkMetadata(object: Record<string, unknown>, kind: string, doc: Document, add: Add): void {
  const metadata = object.metadata;
  if (!metadata || typeof metadata !== 'object') {
    add({ severity: 'error', path: 'metadata', message: 'metadata is required (with a name).' }, doc.contents);
    return;
  }
  const { name, namespace } = metadata as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') {
    add({ severity: 'error', path: 'metadata.name', message: 'metadata.name is required.' }, nodeAt(doc, 'metadata'));
  } else if (kind === 'Service' ? !(new RegExp(DNS_LABEL).test(name) && /^[a-z]/.test(name) && name.length <= 63) : !(DNS_SUBDOMAIN.test(name) && name.length <= 253)) {
    const rule = kind === 'Service' ? 'a DNS label: lowercase letters, digits and -, starting with a letter, at most 63 characters' : 'lowercase letters, digits, - and ., starting and ending with a letter or digit';
    add({ severity: 'error', path: 'metadata.name', message: `metadata.name "${name}" is not a valid ${kind} name: use ${rule}.` }, nodeAt(doc, 'metadata.name'));
  }
  if (namespace !== undefined && !(typeof namespace === 'string' && new RegExp(DNS_LABEL).test(namespace) && namespace.length <= 63)) {
    add({ severity: 'error', path: 'metadata.namespace', message: 'metadata.namespace must be a DNS label: lowercase letters, digits and -, at most 63 characters.' }, nodeAt(doc, 'metadata.namespace'));
  }
}

/** The CRD's CEL rules, and what the operator assumes of volumes. */
function checkWorkloadRules(object: Record<string, unknown>, doc: Document, add: Add): void {
  const spec = ((object.spec as Record<string, unknown> | undefined)?.template as Record<string, unknown> | undefined)?.spec as Record<string, unknown> | undefined;
  if (!spec || typeof spec !== 'object') return;
  const base = 'spec.template.spec';
  if (Array.isArray(spec.hostInterfaces)) {
    for (const violation of checkHostInterfaceRules(spec.hostInterfaces)) {
      const path = `${base}.hostInterfaces[${violation.index}]`;
      add({ severity: 'error', path, message: `${path}: ${violation.message}.` }, nodeAt(doc, path));
    }
  }
  const volumes = new Set((Array.isArray(spec.volumes) ? spec.volumes : []).map((v) => (v && typeof v === 'object' ? (v as { name?: unknown }).name : undefined)));
  const parts: [string, unknown][] = [
    ...(Array.isArray(spec.components) ? spec.components.map((c, i) => [`${base}.components[${i}]`, c] as [string, unknown]) : []),
    ...(spec.service ? [[`${base}.service`, spec.service] as [string, unknown]] : []),
  ];
  if (parts.length === 0) add({ severity: 'warning', path: base, message: 'The workload has no components and no service: it runs nothing.' }, nodeAt(doc, base));
  for (const [path, part] of parts) {
    const mounts = (part as { localResources?: { volumeMounts?: unknown } } | null)?.localResources?.volumeMounts;
    if (!Array.isArray(mounts)) continue;
    mounts.forEach((mount, i) => {
      const name = (mount as { name?: unknown } | null)?.name;
      if (typeof name === 'string' && !volumes.has(name)) {
        const at = `${path}.localResources.volumeMounts[${i}].name`;
        add({ severity: 'error', path: at, message: `${at} is "${name}", but spec.template.spec.volumes defines no volume of that name.` }, nodeAt(doc, at));
      }
    });
  }
}

/** One problem as a line for a terminal. */
export function describeProblem(problem: ManifestProblem): string {
  const where = problem.line !== undefined ? `line ${problem.line}: ` : '';
  const from = problem.configKey ? ` (generated from ${problem.configKey} in the config)` : '';
  return `${where}${problem.message}${from}`;
}
