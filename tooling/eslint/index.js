// One lint setup for every package: typescript-eslint's recommended rules, plus the
// rule that keeps environment access inside each app's validated config module.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.gen.ts', '**/.turbo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through config.ts (validated).' },
      ],
    },
  },
  {
    // configuration modules, tests and test tooling read the environment directly
    files: ['**/config.ts', '**/*.test.ts', '**/*.spec.ts', '**/test/**', '**/testing/**', '**/*.config.ts', '**/scripts/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
