// ESLint: type-aware rules that catch what tsc lets through (issue 14 §2). Formatting is Prettier's
// job (`npm run format:check`), so no rule here is about layout.
//
// Run: `make lint` (lint and format-check; `make test` runs both), `npx nx run workspace-checks:lint`,
// or `npx eslint <files or folders>` for a quick look; `npx eslint --fix <files>` fixes what it can.
// A .ts file must belong to a tsconfig.json (the type-aware rules need its program), or be listed
// in allowDefaultProject below.
//
// Non-null assertion policy (`x!`):
//   `noUncheckedIndexedAccess` stays off: the numeric code indexes arrays and typed arrays in loops
//   whose bounds are the invariant, and a `!` or a check on every `a[i]` would be noise the compiler
//   cannot verify either. So `a[i]` is already typed as present, and a `!` on it asserts nothing:
//   `no-unnecessary-type-assertion` removes it (`npx eslint --fix`).
//   Where the type really admits undefined/null (Map.get, find, an optional field, a regex group),
//   shipped code (src/, bench/, scripts/, templates/) must not use `!`: narrow with a check, and
//   where the value is missing only if an invariant broke, throw an Error that names the invariant,
//   so a bug says where it is instead of "cannot read properties of undefined" far away.
//   Tests may use `!` there: a wrong assumption fails the test at that line, which is the check.
import tseslint from 'typescript-eslint';

const TYPED_FILES = ['**/*.ts', '**/*.mts', '**/*.cts'];
const TEST_FILES = ['**/test/**', '**/*.test.ts', 'test-fixtures/**'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/vendor/**',
      '**/fixtures/**',
      'workdirs/**',
      'out/**',
      '.nx/**',
      '.test-results/**',
      'tools/faiss-node/**',
      'packages/pretrain/model/**',
      'packages/pretrain/models/**',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Line length: Prettier wraps code at 120 but cannot wrap a comment or a string. Comments must
      // wrap at 120 too; a string, template literal, regex or URL may run past it, because split
      // message text cannot be found with grep. (Core `max-len` is deprecated as a formatting rule
      // and leaves in ESLint 11: then take @stylistic/max-len with the same options.)
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  {
    files: TYPED_FILES,
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        // Each file is checked with the program of its nearest tsconfig.json; config files that no
        // tsconfig includes get a default program.
        projectService: {
          allowDefaultProject: [
            'vitest.shared.ts',
            '{apps,packages}/*/vitest.config.ts',
            'tools/bench/*.ts',
            'test-fixtures/*.ts',
          ],
          defaultProject: 'tsconfig.base.json',
          // 23 files today (14 vitest configs, test-fixtures/, tools/bench/): room for a few more.
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 30,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection kills the process) and
      // its ordering. Await it, or write `void promise` with a comment that says who handles the error.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async callback where a void one is expected (event handlers, forEach, setTimeout): its
      // rejection goes nowhere. Wrap it: `(x) => void handle(x).catch(report)`.
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      // allowThrowingAny: AbortSignal.reason is typed any, and rejecting with it is the platform's
      // contract (signal.throwIfAborted() throws it too).
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true }],
      // Type-only imports are erased (verbatimModuleSyntax); say so with `import type`.
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/consistent-type-exports': 'error',
      // Non-null policy: see the top of this file.
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      // Shipped code has no `any` (issue 14 counted none): take `unknown` and narrow, or parse with zod.
      '@typescript-eslint/no-explicit-any': 'error',
      // A leading underscore marks a deliberately unused binding (e.g. picking fields off with rest).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    files: TEST_FILES,
    rules: {
      // Non-null policy: tests may assert presence with `!` (see the top of this file).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests may poke at untyped JSON (a fake server's request bodies) with `any`.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
