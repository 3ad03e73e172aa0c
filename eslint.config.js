// The lint rules `npm run check` applies on top of the type checker: a small set that catches
// what tsc lets through and that has bitten us: promises nobody awaits or catches, values
// nobody uses, and `any` leaking across module boundaries. Type-aware, through each folder's
// own tsconfig (runtime and tests, the renderer, the QR example).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/', '.cache/', 'dist/', 'renderer/dist/', 'release/', 'test-results/', '.scratch/', 'test/fixtures/js/*/src/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['renderer/vite.config.ts', 'scripts/build.d.mts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      // Control characters are the point of the ANSI and protocol code that uses them.
      'no-control-regex': 'off',
    },
  },
  {
    // Plain JavaScript (launchers, the componentize child, fixtures' build scripts): no types to check.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  {
    // CommonJS (electron-builder's configuration).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
