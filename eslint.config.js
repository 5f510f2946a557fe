// @ts-check
import tseslint from 'typescript-eslint';

// WebAuthn verification lives in one place, behind the domain's own types.
const SIMPLEWEBAUTHN = {
  selector: 'ImportDeclaration[source.value=/^@simplewebauthn\\/server/]',
  message: 'Only src/auth/passkeys/ imports @simplewebauthn/server.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'dist-worker',
      '.wrangler',
      '.data',
      'src/generated',
      'drizzle',
      'coverage',
      'bench/.tmp*',
    ],
  },
  ...tseslint.configs.recommended,
  // The Worker's own code is held to the type-aware rules as well.
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ['src/**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.node.json', './tsconfig.demo.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  // The boundaries of DESIGN.md: dependencies point inwards (index -> app -> http -> auth/oauth -> ports).
  {
    files: ['src/auth/**/*.ts', 'src/oauth/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['hono', 'hono/*', '@hono/*'], message: 'The domain is framework-free (DESIGN.md).' },
            {
              group: ['**/db/*', '**/store/*', '**/mail/*', '**/hasher/*', '**/http/*', '**/http/**'],
              message: 'The domain reaches adapters only through the port types in src/ports/.',
            },
            {
              group: ['drizzle-orm', 'drizzle-orm/*', '@upstash/*'],
              message: 'Drivers live in their adapters.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/http/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/db/*', '**/store/*', '**/mail/*', '**/hasher/*'],
              message: 'http/ reaches the adapters through deps and the port types in src/ports/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/auth/*',
                '**/oauth/*',
                '**/http/*',
                '**/db/*',
                '**/store/*',
                '**/mail/*',
                '**/hasher/*',
              ],
              message: 'Ports are the innermost layer: they import nothing of the project but other ports.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/deps.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['./auth/*', './oauth/*', './http/*', './db/*', './store/*', './mail/*', './hasher/*'],
              message: 'deps.ts names port types only; adapters are chosen in deps-from-env.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/db/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportDeclaration[source.value=/^drizzle-orm/]',
          message: 'Only src/db/ imports drizzle.',
        },
        {
          selector: "ImportDeclaration[source.value=/^@upstash\\//]:not([importKind='type'])",
          message: 'Only src/store/ imports @upstash/*.',
        },
        SIMPLEWEBAUTHN,
      ],
    },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportDeclaration[source.value=/^drizzle-orm/]',
          message: 'Only src/db/ imports drizzle.',
        },
        SIMPLEWEBAUTHN,
      ],
    },
  },
  {
    files: ['src/auth/passkeys/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportDeclaration[source.value=/^drizzle-orm/]',
          message: 'Only src/db/ imports drizzle.',
        },
        {
          selector: "ImportDeclaration[source.value=/^@upstash\\//]:not([importKind='type'])",
          message: 'Only src/store/ imports @upstash/*.',
        },
      ],
    },
  },
);
