import { execFile, spawn } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { msToTs } from '@temporalio/common/lib/time.js';
import pg from 'pg';
import { ALL_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { stopChild, supervise } from './child-process.js';
import type { RunningTemporal } from './dev-server.js';
import { resolveTool } from './tools.js';
export { resolveTool };
import { startUiServer, type RunningUiServer } from './ui-server.js';
import { freePort, waitForPort } from './ports.js';

const execFileAsync = promisify(execFile);
const HOST = '127.0.0.1';

/** History shards are fixed when the databases are first set up; the server refuses another number later. */
export const CLUSTER_HISTORY_SHARDS = 4;
/** How long a closed workflow stays in the namespace (the dev server keeps them a day). */
const RETENTION_SECONDS = 3 * 24 * 3600;
/** `system.namespaceCacheRefreshInterval` in our dynamic config: how soon every service sees a namespace change. */
const NAMESPACE_REFRESH_MS = 1_000;

export interface ClusterOptions {
  /** A PostgreSQL server (the ledger's, from stack/postgres.ts): the cluster gets databases of its own on it. */
  postgresUrl: string;
  /** Config, dynamic config and the server's log live here. */
  dataDir: string;
  /** Frontend gRPC port; free ports when absent. The other services always take free ports. */
  port?: number;
  namespace?: string;
  databases?: { main: string; visibility: string };
  logLevel?: string;
  startTimeoutMs?: number;
  /**
   * Also start the Web UI (the ui-server, stack/ui-server.ts) pointed at the cluster, on `port`, decoding through
   * `codecEndpoint` with the browser's credentials; `stop()` ends it first.
   */
  ui?: { port?: number; codecEndpoint?: string };
}

/**
 * A Temporal cluster the way a bookmaker runs one, in one process: `temporal-server start` (frontend, history,
 * matching and worker services) with persistence and SQL visibility on PostgreSQL (the postgres12 plugin),
 * CLUSTER_HISTORY_SHARDS history shards. The databases are created when missing and their schemas brought up to
 * the server's version with `temporal-sql-tool` (the schemas embedded in it). Resolves once the frontend answers,
 * our namespace exists and carries our search attributes. `stop()` ends the server (SIGTERM, then SIGKILL).
 */
export async function startTemporalCluster(opts: ClusterOptions): Promise<RunningTemporal> {
  const [server, sqlTool] = await Promise.all([resolveTool('server'), resolveTool('sqlTool')]);
  const databases = opts.databases ?? { main: 'temporal', visibility: 'temporal_visibility' };
  const namespace = opts.namespace ?? 'default';
  const db = parsePostgresUrl(opts.postgresUrl);
  await mkdir(path.join(opts.dataDir, 'config'), { recursive: true });

  await createDatabasesIfMissing(opts.postgresUrl, [databases.main, databases.visibility]);
  await setUpSchema(sqlTool, db, databases.main, 'postgresql/v12/temporal');
  await setUpSchema(sqlTool, db, databases.visibility, 'postgresql/v12/visibility');

  const ports = {
    frontend: opts.port || (await freePort()),
    frontendHttp: await freePort(),
    frontendMembership: await freeMembershipPort(),
    history: await freePort(),
    historyMembership: await freeMembershipPort(),
    matching: await freePort(),
    matchingMembership: await freeMembershipPort(),
    worker: await freePort(),
    workerMembership: await freeMembershipPort(),
  };
  const address = `${HOST}:${ports.frontend}`;
  const dynamicConfigFile = path.join(opts.dataDir, 'config', 'dynamicconfig.yaml');
  await writeAtomically(dynamicConfigFile, toYaml(dynamicConfig()));
  await writeAtomically(
    path.join(opts.dataDir, 'config', 'esu-bridge.yaml'),
    toYaml(serverConfig({ db, databases, ports, dynamicConfigFile, logLevel: opts.logLevel ?? 'warn' })),
  );

  const child = spawn(
    server,
    ['--root', opts.dataDir, '--config', 'config', '--env', 'esu-bridge', '--allow-no-auth', 'start'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const { output, exited } = supervise(child);
  let ui: RunningUiServer | undefined;
  const stop = async () => {
    await ui?.stop();
    await stopChild(child, 20_000);
  };
  try {
    const timeoutMs = opts.startTimeoutMs ?? 120_000;
    await waitForPort(HOST, ports.frontend, timeoutMs, () => !exited());
    await prepareNamespace(address, namespace, Date.now() + timeoutMs, () => !exited());
    if (opts.ui)
      ui = await startUiServer({
        ...opts.ui,
        binary: await resolveTool('ui'),
        temporalAddress: address,
        host: HOST,
        namespace,
      });
  } catch (err) {
    await stop();
    throw new Error(`Temporal server did not start: ${(err as Error).message}\n--- server output ---\n${output()}`);
  }
  return { address, namespace, uiUrl: ui?.url ?? '(no Web UI started)', pid: child.pid, stop };
}

/**
 * A free port for a service's membership (ringpop) listener. The server records it in cluster_membership, a
 * PostgreSQL smallint column: the OS's ephemeral ports (32768 and up) do not fit, so we pick below that.
 */
async function freeMembershipPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port between 20000 and 32000 for the Temporal services’ membership');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

function parsePostgresUrl(url: string): PostgresTarget {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || HOST,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
}

async function createDatabasesIfMissing(postgresUrl: string, names: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    for (const name of names) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    }
  } finally {
    await client.end();
  }
}

/**
 * The upgrade Temporal documents: `setup-schema -v 0.0` creates the version tables (and leaves a database that is
 * already further alone), then `update-schema` applies every versioned step up to the one this server ships.
 * Both are idempotent, so they run on every start; a new server version upgrades the databases here.
 */
async function setUpSchema(sqlTool: string, db: PostgresTarget, database: string, schemaName: string): Promise<void> {
  const common = [
    '--plugin',
    'postgres12',
    '--ep',
    db.host,
    '--port',
    String(db.port),
    '--user',
    db.user,
    '--db',
    database,
  ];
  // The password goes in the environment (SQL_PASSWORD), not on a command line other users can read.
  const env = { ...process.env, SQL_PASSWORD: db.password };
  for (const args of [
    ['setup-schema', '-v', '0.0'],
    ['update-schema', '--schema-name', schemaName],
  ]) {
    try {
      await execFileAsync(sqlTool, [...common, ...args], { env, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
      throw new Error(
        `temporal-sql-tool ${args[0]} on database ${database} failed: ${(err as Error).message}\n${`${stdout}\n${stderr}`.trim().slice(-3000)}`,
      );
    }
  }
}

function serverConfig(p: {
  db: PostgresTarget;
  databases: { main: string; visibility: string };
  ports: Record<
    | 'frontend'
    | 'frontendHttp'
    | 'frontendMembership'
    | 'history'
    | 'historyMembership'
    | 'matching'
    | 'matchingMembership'
    | 'worker'
    | 'workerMembership',
    number
  >;
  dynamicConfigFile: string;
  logLevel: string;
}) {
  const sql = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${p.db.host}:${p.db.port}`,
      connectProtocol: 'tcp',
      user: p.db.user,
      password: p.db.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number, httpPort?: number) => ({
    rpc: { grpcPort, membershipPort, bindOnIP: HOST, ...(httpPort ? { httpPort } : {}) },
  });
  const frontend = `${HOST}:${p.ports.frontend}`;
  return {
    log: { stdout: true, level: p.logLevel },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: CLUSTER_HISTORY_SHARDS,
      datastores: {
        'postgres-default': sql(p.databases.main, 20),
        'postgres-visibility': sql(p.databases.visibility, 10),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: HOST } },
    services: {
      frontend: service(p.ports.frontend, p.ports.frontendMembership, p.ports.frontendHttp),
      history: service(p.ports.history, p.ports.historyMembership),
      matching: service(p.ports.matching, p.ports.matchingMembership),
      worker: service(p.ports.worker, p.ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: frontend,
          httpAddress: `${HOST}:${p.ports.frontendHttp}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    publicClient: { hostPort: frontend },
    dynamicConfigClient: { filepath: p.dynamicConfigFile, pollInterval: '10s' },
  };
}

/** Dynamic config: each key a list of { value, constraints } (the server's file format). */
function dynamicConfig() {
  const value = (v: unknown) => [{ value: v, constraints: {} }];
  return {
    // A namespace change (our search attributes) reaches every service within a second.
    'system.namespaceCacheRefreshInterval': value(`${NAMESPACE_REFRESH_MS}ms`),
    // Update-with-start (client/betting.ts places a bet that way).
    'frontend.enableExecuteMultiOperation': value(true),
    'frontend.enableUpdateWorkflowExecution': value(true),
  };
}

/**
 * Registers the namespace when missing and adds the custom search attributes it lacks (on SQL visibility they
 * belong to a namespace, added through the operator service), once the frontend answers; retried until `deadline`
 * while the server finishes starting.
 */
async function prepareNamespace(
  address: string,
  namespace: string,
  deadline: number,
  alive: () => boolean,
): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: Math.max(1_000, deadline - Date.now()) });
  const retry = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (!alive()) throw new Error(`the server exited while ${what}`);
        if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  try {
    await retry('waiting for the frontend to be healthy', async () => {
      const { status } = await connection.healthService.check({
        service: 'temporal.api.workflowservice.v1.WorkflowService',
      });
      if (status !== 1) throw new Error(`health status ${status}`); // 1 SERVING (grpc.health.v1)
    });
    await retry(`registering namespace ${namespace}`, async () => {
      try {
        await connection.workflowService.describeNamespace({ namespace });
      } catch (err) {
        if ((err as { code?: number }).code !== 5) throw err; // 5 NOT_FOUND
        await connection.workflowService
          .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION_SECONDS * 1000) })
          .catch((e: { code?: number }) => {
            if (e.code !== 6) throw e; // 6 ALREADY_EXISTS: registered by a concurrent start
          });
        await connection.workflowService.describeNamespace({ namespace });
      }
    });
    const wanted = Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, indexedValueType(key.type)]));
    const missing = await retry('listing search attributes', async () => {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      return Object.fromEntries(Object.entries(wanted).filter(([name]) => !(name in (customAttributes ?? {}))));
    });
    if (Object.keys(missing).length) {
      await retry('adding search attributes', async () => {
        await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
      });
      // Every service (the history service validates what workflows upsert) sees the namespace's new attributes at
      // its next namespace refresh.
      await new Promise((r) => setTimeout(r, 3 * NAMESPACE_REFRESH_MS));
    }
    // A query naming every attribute is accepted only once the frontend knows them all.
    const probe = ALL_SEARCH_ATTRIBUTES.map((key) =>
      key.type === 'INT' ? `${key.name} = 0` : `${key.name} = 'probe'`,
    ).join(' AND ');
    await retry('waiting for the search attributes', () =>
      connection.workflowService.countWorkflowExecutions({ namespace, query: probe }),
    );
  } finally {
    await connection.close();
  }
}

function indexedValueType(type: string): proto.temporal.api.enums.v1.IndexedValueType {
  const types = proto.temporal.api.enums.v1.IndexedValueType;
  const byName: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
    KEYWORD: types.INDEXED_VALUE_TYPE_KEYWORD,
    INT: types.INDEXED_VALUE_TYPE_INT,
    TEXT: types.INDEXED_VALUE_TYPE_TEXT,
    BOOL: types.INDEXED_VALUE_TYPE_BOOL,
    DOUBLE: types.INDEXED_VALUE_TYPE_DOUBLE,
    DATETIME: types.INDEXED_VALUE_TYPE_DATETIME,
    KEYWORD_LIST: types.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  };
  const found = byName[type];
  if (found === undefined) throw new Error(`search attribute type ${type} has no Temporal indexed value type`);
  return found;
}

/** JSON is YAML: the server and the UI read it as their YAML config, with no quoting to get wrong. */
function toYaml(value: unknown): string {
  return `# Written by esu-bridge (stack/temporal-cluster.ts) on every start; edits are overwritten.\n${JSON.stringify(value, null, 2)}\n`;
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  await rename(tmp, file);
}
