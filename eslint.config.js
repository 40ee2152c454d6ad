// ESLint flat config: typescript-eslint's type-checked rules over src/ (the shipped code), its
// untyped recommended rules over tests, scripts and the benchmark. docs/ARCHITECTURE.md
// ("Guardrails") says which rules are on, which are off and why.

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const unusedVars = [
  'error',
  // `const { dropped: _x, ...rest } = o` is how the code omits a field; `_` marks it.
  { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'corpus/**', 'samples/**', 'coverage/**'] },
  js.configs.recommended,
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': unusedVars,
      // Async generators that yield synchronously and async functions kept async for their callers are intended.
      '@typescript-eslint/require-await': 'off',
      // The renderers strip control characters from untrusted log text on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', '*.config.ts'],
    extends: [tseslint.configs.recommended],
    // Tests read the CLI's JSON output as `any` on purpose.
    rules: { '@typescript-eslint/no-unused-vars': unusedVars, 'no-control-regex': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
