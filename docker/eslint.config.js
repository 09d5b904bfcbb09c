import base from '@pizza/eslint-config';

const nodeGlobals = { process: 'readonly', console: 'readonly', URL: 'readonly' };

export default [
  ...base,
  // render.mjs is a small CLI: reading its variables from the environment is its job.
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: nodeGlobals },
    rules: { 'no-restricted-properties': 'off' },
  },
  // mongosh script (runs inside the mongo-init container, not under node).
  {
    files: ['mongo/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { ...nodeGlobals, rs: 'readonly', db: 'readonly', sleep: 'readonly', print: 'readonly' },
    },
    rules: { 'no-restricted-properties': 'off' },
  },
];
