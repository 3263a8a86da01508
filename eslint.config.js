// ESLint flat config. The one project-specific rule: src/core and src/spec stay pure
// (STYLE.md §1 — sans-I/O): no I/O modules, no clocks, no randomness, no async.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  'fs',
  'fs/promises',
  'net',
  'dgram',
  'child_process',
  'worker_threads',
  'timers',
  'timers/promises',
  'http',
  'https',
  'http2',
  'os',
  'process',
  'readline',
  'stream',
  'cluster',
  'crypto',
  'perf_hooks',
];
const restrictedIo = ioModules.flatMap((name) => [name, `node:${name}`]);

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'test/fixtures/**'] },
  js.configs.recommended,
  {
    // The dependency-cruiser config is CommonJS, run by Node.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly' },
    },
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/spec/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: restrictedIo.map((name) => ({
            name,
            message: 'core/ and spec/ are pure: push I/O to runtime/ or cli/ (STYLE.md §1).',
          })),
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Time is the Tick input.' },
        { name: 'setInterval', message: 'Time is the Tick input.' },
        { name: 'setImmediate', message: 'Time is the Tick input.' },
        { name: 'process', message: 'core/ and spec/ are pure.' },
        { name: 'fetch', message: 'core/ and spec/ are pure.' },
        { name: 'performance', message: 'Time is the Tick input.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Math'][property.name='random']",
          message: 'Randomness is an input chosen by the harness (STYLE.md §3).',
        },
        {
          selector: "MemberExpression[object.name='Date']",
          message: 'Time is the Tick input (STYLE.md §3).',
        },
        {
          selector: "NewExpression[callee.name='Date']",
          message: 'Time is the Tick input (STYLE.md §3).',
        },
        {
          selector: ':function[async=true]',
          message: 'core/ and spec/ are synchronous reducers.',
        },
        { selector: 'AwaitExpression', message: 'core/ and spec/ are synchronous reducers.' },
      ],
    },
  },
);
