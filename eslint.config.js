// The linter keeps the house: the dependency direction between folders and "no cycles" are rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const core = (name) => `./src/core/${name}`;
const CORE_FOLDERS = ['delivery', 'signing', 'trigger', 'http', 'receive', 'store', 'tunnel', 'doctor', 'sandbox'];
/** Zone: files in `target` may not import from the core folders not listed in `allowed`. */
const coreMayUse = (target, allowed) => ({
  target: core(target),
  from: CORE_FOLDERS.filter((f) => f !== target && !allowed.includes(f)).map(core),
  message: `core/${target} may import only ${allowed.length ? allowed.map((a) => `core/${a}`).join(', ') : 'no other core folder'} (see its index.ts)`,
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '**/*.d.mts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  importX.flatConfigs.typescript,
  {
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'test/tsconfig.json' })] },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      // small pieces: a file a newcomer reads in one sitting, a function that fits on a screen or two
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
      // Only the shim ends the process; output goes through the IO object.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'return an exit code; only bin/idpass.js exits' },
      ],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/core',
              from: ['./src/output', './src/commands', './src/ui', './src/flags', './src/cli.ts', './src/index.ts'],
              message: 'core never imports output, commands, ui or flags: it emits facts and throws coded errors',
            },
            {
              target: './src/core/common',
              from: CORE_FOLDERS.map(core),
              message: 'core/common holds what every core folder shares (errors, defaults, hosts, compare): it imports none of them',
            },
            coreMayUse('signing', []),
            coreMayUse('http', []),
            coreMayUse('delivery', ['signing', 'http']),
            coreMayUse('store', ['delivery', 'signing', 'http']),
            coreMayUse('tunnel', ['http']),
            coreMayUse('trigger', ['delivery', 'signing', 'http']),
            coreMayUse('receive', ['delivery', 'signing', 'http', 'store', 'tunnel']),
            coreMayUse('doctor', ['delivery', 'signing', 'http', 'trigger']),
            coreMayUse('sandbox', ['delivery', 'signing', 'http', 'trigger']),
            {
              target: ['./src/core', './src/output', './src/ui', './src/index.ts'],
              from: './src/flags',
              message: 'only commands import flags',
            },
            { target: './src/output', from: ['./src/commands', './src/ui'], message: 'output renders; it never imports commands or ui' },
            { target: './src/ui', from: ['./src/commands', './src/flags'], message: 'ui draws what its props give it' },
            {
              target: ['./src/commands', './src/output', './src/core', './src/flags', './src/cli.ts', './src/index.ts'],
              from: './src/ui',
              except: ['./live-view.tsx'],
              message: 'ui is imported only through its root, ui/live-view.tsx',
            },
          ],
        },
      ],
    },
  },
  {
    // colour has one home: renderers say a tone (output/palette.ts), never a chalk colour
    files: ['src/**/*.ts'],
    ignores: ['src/output/palette.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "MemberExpression[property.name=/^(red|green|yellow|cyan|magenta|dim|bold|gray|blue|white)$/]:not([object.callee.name='tones']):not([object.name='paint'])",
          message: 'say a tone through tones(chalk) from output/palette.ts instead of a colour',
        },
      ],
    },
  },
  {
    // tests look for terminal escape sequences on purpose
    files: ['test/**/*.{ts,tsx}'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    files: ['bin/**/*.js', 'bench/**/*.mjs', 'scripts/**/*.mjs', 'test/**/*.mjs', '.ci/**/*.mjs', 'eslint.config.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        performance: 'readonly',
      },
    },
  },
);
