import { access } from 'node:fs/promises';
import path from 'node:path';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { REPO_ROOT, TOOLS_DIR } from './paths.js';

/**
 * Temporal's time-skipping test server is Java (io.temporal:temporal-test-server, resolved from Maven
 * Central by tools/test-server/pom.xml). The SDK starts it as an `existing-path` executable: our wrapper
 * script, which execs java with the resolved jars. `TEMPORAL_TEST_SERVER` names another executable.
 */
export async function timeSkippingServerPath(env: Record<string, string | undefined> = process.env): Promise<string> {
  if (env.TEMPORAL_TEST_SERVER) return env.TEMPORAL_TEST_SERVER;
  const lib = path.join(TOOLS_DIR, 'test-server', 'lib');
  try {
    await access(path.join(lib));
  } catch {
    throw new Error(`${lib} is missing: run scripts/ensure-tools.sh (it resolves the test server's jars with mvn)`);
  }
  return path.join(REPO_ROOT, 'tools', 'test-server', 'temporal-test-server');
}

/** A time-skipping environment for one test file (skipping time affects every workflow on that server). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const serverPath = await timeSkippingServerPath();
  const env = await startTimeSkipping(serverPath);
  // The test server knows only Temporal's own search attributes: register ours as the dev server does.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
    ),
  });
  return env;
}

/**
 * The SDK gives the JVM 5 s to open its port, which a loaded 2-core machine can miss: a server that did not
 * start is started again (twice more), anything else fails at once.
 */
async function startTimeSkipping(serverPath: string, attempts = 3): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: serverPath } },
      });
    } catch (err) {
      if (attempt >= attempts || !/did not start within/.test(String((err as Error).message))) throw err;
    }
  }
}
