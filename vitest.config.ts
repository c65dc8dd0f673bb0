import { defineConfig } from 'vitest/config';

// Three projects, run in order of cost by `npm test`:
// - unit: pure domain rules, simulators, connectors against a simulator, the local stack helpers;
// - workflows: time-skipping tests, each file with its own test server (skipping time is server-wide);
// - integration: the real dev server, PostgreSQL, simulators and worker, driven through client/.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'test/domain/**/*.test.ts',
            'test/client/**/*.test.ts',
            'test/workers/**/*.test.ts',
            'test/simulators/**/*.test.ts',
            'test/activities/**/*.test.ts',
            'test/stack/**/*.test.ts',
            'test/console/**/*.test.ts',
            'test/config/**/*.test.ts',
            'test/codec/**/*.test.ts',
            'test/api/**/*.test.ts',
            'test/crypto/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: { name: 'workflows', include: ['test/workflows/**/*.test.ts', 'test/replay/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/integration-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
        },
      },
    ],
  },
});
