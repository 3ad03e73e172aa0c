// The packages a JavaScript file (a bundle, say) imports: the names in its `import … from`,
// `import()` and `require()` of bare specifiers, Node's built-ins left out. Strings that only
// look like imports (inside template code) are left out by the shape of a package name.
import { builtinModules } from 'node:module';

const IMPORT = /(?:\bfrom|\bimport\(|\brequire\()\s*["']([^"'.][^"']*)["']/g;
const PACKAGE = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(?:\/[\w./-]*)?$/i;
const builtins = new Set(builtinModules);

export function importedPackages(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, specifier] of text.matchAll(IMPORT)) {
    if (!PACKAGE.test(specifier!) || specifier!.startsWith('node:') || builtins.has(specifier!)) continue;
    names.add(specifier!.startsWith('@') ? specifier!.split('/').slice(0, 2).join('/') : specifier!.split('/')[0]!);
  }
  return names;
}
