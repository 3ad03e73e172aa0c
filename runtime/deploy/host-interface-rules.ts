// The CEL rules (`x-kubernetes-validations`) that wasmCloud's WorkloadDeployment CRD puts on
// `spec.template.spec.hostInterfaces`, written as code: JSON Schema cannot say them, and the
// Kubernetes API server runs them only at apply time. Each rule is kept with the CRD's own
// message, so the validator can tell which rules of the vendored CRD it knows.
//
//   1. self.all(x, self.exists_one(y, same namespace, package, name or '', version or ''))
//   2. self.all(x, (has(x.name) && x.name != '') ||
//        self.filter(y, same namespace and package && unnamed(y)).size() == 1)

export interface HostInterfaceLike {
  namespace?: unknown;
  package?: unknown;
  name?: unknown;
  version?: unknown;
}

export interface RuleViolation {
  /** Index of the entry that breaks the rule (the second of a pair). */
  index: number;
  /** Index of the entry it clashes with. */
  other: number;
  /** The CRD's message, then which entries. */
  message: string;
}

export const DUPLICATE_RULE_MESSAGE = 'hostInterfaces must not contain duplicate entries with the same namespace, package, name, and version';
export const UNNAMED_RULE_MESSAGE = 'at most one unnamed hostInterface is allowed per namespace:package; set a unique name to disambiguate multiple imports of the same package';

/** The messages of the CRD rules implemented here; the validator warns about any other. */
export const IMPLEMENTED_RULE_MESSAGES = [DUPLICATE_RULE_MESSAGE, UNNAMED_RULE_MESSAGE];

const text = (v: unknown) => (typeof v === 'string' ? v : '');
const unnamed = (x: HostInterfaceLike) => text(x.name) === '';

export function checkHostInterfaceRules(entries: readonly unknown[]): RuleViolation[] {
  const items = entries.map((e) => (e && typeof e === 'object' ? (e as HostInterfaceLike) : {}));
  const violations: RuleViolation[] = [];
  items.forEach((x, i) => {
    const id = `${text(x.namespace)}:${text(x.package)}`;
    const duplicate = items.findIndex((y, j) => j < i && text(y.namespace) === text(x.namespace) && text(y.package) === text(x.package) && text(y.name) === text(x.name) && text(y.version) === text(x.version));
    if (duplicate >= 0) {
      violations.push({ index: i, other: duplicate, message: `${DUPLICATE_RULE_MESSAGE} (entries ${duplicate} and ${i} are both ${id}${text(x.name) ? ` named ${text(x.name)}` : ''}${text(x.version) ? `@${text(x.version)}` : ''})` });
      return;
    }
    if (!unnamed(x)) return;
    const firstUnnamed = items.findIndex((y, j) => j < i && unnamed(y) && text(y.namespace) === text(x.namespace) && text(y.package) === text(x.package));
    if (firstUnnamed >= 0) {
      violations.push({ index: i, other: firstUnnamed, message: `${UNNAMED_RULE_MESSAGE} (entries ${firstUnnamed} and ${i} are both ${id} without a name)` });
    }
  });
  return violations;
}
