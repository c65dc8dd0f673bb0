// ESLint for esu-bridge (`npm run lint`, scripts/lint.sh; scripts/test.sh runs it after the typecheck). It lives in
// tools/lint/ with its own node_modules: typed rules (no-floating-promises) need TypeScript's JavaScript API, which
// the project's TypeScript 7 does not ship, so this folder pins TypeScript 6 for ESLint alone.
// The rules: the Temporal samples' (no floating promises; workflows deterministic: no Node built-ins, no I/O
// libraries, no randomness, no wall-clock timers; activities imported as types only) and the rooms' boundaries
// that docs/architecture.md draws.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];
const IO_LIBRARIES = [
  'pg',
  'undici',
  'fastify',
  'prom-client',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];

/** A relative import of one of our rooms but these, from a file one folder down (`../room/…`). */
/** zod's formats whose schemas all share one RegExp of zod's (zod/v4/core/schemas.js: `def.pattern ?? regexes.…`). */
const ZOD_SHARED_PATTERN_FORMATS =
  '/^(email|guid|cuid|cuid2|ulid|xid|ksuid|nanoid|ipv4|ipv6|cidrv4|cidrv6|e164|lowercase|uppercase)$/';

const roomsBut = (...allowed) => `^\\.\\./(?!(${allowed.join('|')})/)`;
/** A relative import of one of these rooms, from a file at any depth (`../room/…`, `../../room/…`). */
const rooms = (...names) => `^(\\.\\./)+(${names.join('|')})/`;

/** What workflow code may import, given the pattern of a relative import that reaches another room. */
const workflowImports = (otherRooms) => [
  'error',
  {
    paths: [...NODE_BUILTINS, ...IO_LIBRARIES].map((name) => ({
      name,
      message: 'workflow code does no I/O and uses no Node built-ins: do it in an activity',
    })),
    patterns: [
      { group: ['node:*'], message: 'workflow code uses no Node built-ins: do it in an activity' },
      {
        regex: otherRooms,
        allowTypeImports: true,
        message: 'workflows import values from domain/ only; activities and the other rooms as types (import type)',
      },
    ],
  },
];

/**
 * SQL text: a string or a template's text that starts with a statement's keyword in capitals and a space or a
 * line break (`'SELECT …'`, `` `WITH … ` ``). Case-sensitive, so English ("Update the card") and Temporal's
 * `handle.query(...)` are not it.
 */
const SQL_START = '/^\\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\\s/';
const NO_SQL_TEXT = [
  'error',
  { selector: `Literal[value=${SQL_START}]`, message: 'SQL lives in store/ (docs/architecture.md)' },
  { selector: `TemplateElement[value.raw=${SQL_START}]`, message: 'SQL lives in store/ (docs/architecture.md)' },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'tools/**',
      '.tools/**',
      '.data/**',
      'coverage/**',
      'test/.artifacts/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    // Directives for rules this config does not turn on (written for editors' own configs) are left alone.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // Workflow code is replayed: deterministic, no I/O (the SDK's own sandbox forbids most of it at run time; this
    // says so at the line). Date.now() is allowed: in a workflow the SDK replaces it with the workflow clock.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': workflowImports(roomsBut('domain')),
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message:
            'not deterministic on replay: derive it from the workflow id or use uuid4() from @temporalio/workflow',
        },
        {
          object: 'crypto',
          property: 'randomUUID',
          message: 'not deterministic on replay: use uuid4() from @temporalio/workflow',
        },
        { object: 'crypto', property: 'getRandomValues', message: 'not deterministic on replay' },
        {
          object: 'performance',
          property: 'now',
          message: 'a wall clock: use the workflow clock (Date.now() in a workflow)',
        },
      ],
      'no-restricted-globals': [
        'error',
        {
          name: 'setTimeout',
          message: 'a wall-clock timer: use sleep() or condition(fn, timeout) from @temporalio/workflow',
        },
        { name: 'setInterval', message: 'a wall-clock timer: use sleep() in a loop' },
        { name: 'crypto', message: 'not deterministic on replay' },
      ],
    },
  },
  {
    // zod is shared between workflows and frozen (workflows/shared-modules.ts): its built-in formats share one RegExp
    // each, which zod writes on every parse, so inside a workflow they throw. domain/formats.ts gives each its own.
    files: ['domain/**/*.ts', 'workflows/**/*.ts'],
    ignores: ['domain/formats.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: `CallExpression[callee.object.name='z'][callee.property.name=${ZOD_SHARED_PATTERN_FORMATS}]`,
          message:
            "zod's built-in format shares a RegExp that is frozen in a workflow: give it a RegExp of its own (domain/formats.ts)",
        },
        {
          selector: `CallExpression[callee.object.property.name='iso'][callee.property.name=/^(date|duration)$/]`,
          message: "zod's built-in format shares a RegExp that is frozen in a workflow: use domain/formats.ts",
        },
        {
          selector: `CallExpression[callee.property.name=/^(email|lowercase|uppercase|cuid2?|ulid|nanoid|ipv[46]|e164)$/][callee.object.type!='Identifier']`,
          message: "zod's built-in format shares a RegExp that is frozen in a workflow: use domain/formats.ts",
        },
      ],
    },
  },
  {
    // A workflow split into a folder by step (workflows/submission/): `../` is its own room, the others two up.
    files: ['workflows/*/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': workflowImports('^\\.\\./\\.\\./(?!domain/)') },
  },
  {
    // domain/ is the rooms' shared language: pure, it imports nothing of ours but itself.
    files: ['domain/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*'], message: 'domain/ imports nothing of ours but domain/' }] },
      ],
    },
  },
  {
    files: ['domain/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../../*'], message: 'domain/ imports nothing of ours but domain/' }] },
      ],
    },
  },
  {
    // codec/ (the payload encryption) stands alone; crypto/ (bettor reference, digests) sits on domain/ only.
    files: ['codec/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*'], message: 'codec/ imports nothing of ours' }] },
      ],
    },
  },
  {
    files: ['crypto/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: roomsBut('domain'), message: 'crypto/ imports domain/ only' }] },
      ],
    },
  },
  {
    // config/ reads the environment for every room, so it may stand on none of them but the shared ones.
    files: ['config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: roomsBut('domain', 'codec', 'crypto'),
              message:
                'config/ imports domain/, codec/ and crypto/ only: the types it returns live in config/ or domain/',
            },
          ],
        },
      ],
    },
  },
  {
    // Activities do the I/O for the workflows: they never start workflows nor reach into the rooms that serve people.
    files: ['activities/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '../workflows/*',
                '../client/*',
                '../console/*',
                '../api/*',
                '../cli/*',
                '../workers/*',
                '../simulators/*',
                '../stack/*',
              ],
              message: 'activities/ import config, crypto, db and domain only',
            },
          ],
        },
      ],
    },
  },
  {
    // store/ holds the PostgreSQL reads and writes that more than the sagas use (the ledger, the journal, the
    // registry, …): plain functions on a pool or a transaction's client, under activities/, the client, the console
    // and the API alike. It knows nothing of Temporal's activity context.
    files: ['store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@temporalio/activity',
              message: 'store/ knows no activity context: heartbeats, logs and retries belong to activities/',
            },
          ],
          patterns: [
            {
              regex: roomsBut('db', 'domain', 'crypto', 'config'),
              message: 'store/ imports db, domain, crypto and config only',
            },
          ],
        },
      ],
    },
  },
  {
    // The rooms that serve people read PostgreSQL through store/, never through the sagas' activities (types are fine).
    files: ['client/**/*.ts', 'console/**/*.ts', 'api/**/*.ts'],
    ignores: ['client/check.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: rooms('activities'),
              allowTypeImports: true,
              message: 'client/, console/ and api/ import no values from activities/: PostgreSQL reads are in store/',
            },
          ],
        },
      ],
    },
  },
  {
    // client/ is what bookmaker services import: the CLI stands on it, never the other way round.
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: rooms('cli'), message: 'client/ does not import cli/: the CLI imports client/' }] },
      ],
    },
  },
  {
    // SQL lives in store/ (and db/): the rooms that serve people call its functions and hold no SQL text.
    files: ['api/**/*.ts', 'client/**/*.ts', 'cli/**/*.ts', 'console/**/*.ts'],
    rules: { 'no-restricted-syntax': NO_SQL_TEXT },
  },
  {
    // client/'s dynamic imports reach no cli/ either (no-restricted-imports sees static imports only).
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        ...NO_SQL_TEXT,
        {
          selector: 'ImportExpression[source.value=/^(\\.\\.\\/)+cli\\//]',
          message: 'client/ does not import cli/: the CLI imports client/',
        },
      ],
    },
  },
  {
    // db/ knows the tables (migrations, the pool, backup): of ours it imports config/ and domain/ only; what it
    // needs of another room (the journal's hash chain for a restore) is handed in by its caller.
    // Its entry files (`npm run migrate`, `backup`, `retention`: db/main.ts, db/*-main.ts) only start the CLI.
    files: ['db/**/*.ts'],
    ignores: ['db/main.ts', 'db/*-main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: roomsBut('config', 'domain'), message: 'db/ imports config/ and domain/ only' }] },
      ],
    },
  },
  {
    // A simulator stands for the counterpart, not for our code.
    files: ['simulators/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: rooms('activities'),
              message: 'simulators/ do not import activities/: shared verification lives in crypto/',
            },
          ],
        },
      ],
    },
  },
);
