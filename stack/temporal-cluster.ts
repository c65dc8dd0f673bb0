import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, constants, mkdir, rename, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { msToTs } from '@temporalio/common/lib/time.js';
import pg from 'pg';
import { ALL_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { stopChild, type RunningTemporal } from './dev-server.js';
import { REPO_ROOT, TOOLS_DIR } from './paths.js';
import { freePort, waitForPort } from './ports.js';

const execFileAsync = promisify(execFile);
const HOST = '127.0.0.1';

/** The binaries tools/temporal/go.mod pins next to the CLI, as scripts/ensure-tools.sh builds them. */
const TOOLS = {
  server: { binary: 'temporal-server', env: 'TEMPORAL_SERVER_PATH', pkg: 'go.temporal.io/server/cmd/server' },
  sqlTool: { binary: 'temporal-sql-tool', env: 'TEMPORAL_SQL_TOOL_PATH', pkg: 'go.temporal.io/server/cmd/tools/sql' },
  ui: { binary: 'temporal-ui-server', env: 'TEMPORAL_UI_SERVER_PATH', pkg: 'github.com/temporalio/ui-server/v2/cmd/server' },
} as const;

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
  /** Also start the Web UI (the ui-server) pointed at the cluster; `stop()` ends it first. */
  ui?: Omit<UiOptions, 'temporalAddress'>;
}

export interface UiOptions {
  temporalAddress: string;
  port?: number;
  /** Where the UI sends payloads to be decoded (the console's codec endpoint). */
  codecEndpoint?: string;
  /** Send the browser's cookies to the codec endpoint. */
  includeCredentials?: boolean;
  dataDir: string;
  defaultNamespace?: string;
}

export interface RunningUi {
  url: string;
  stop(): Promise<void>;
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

  const child = spawn(server, ['--root', opts.dataDir, '--config', 'config', '--env', 'esu-bridge', '--allow-no-auth', 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output = keepOutput(child);
  const exited = dieWithUs(child);
  let ui: RunningUi | undefined;
  const stop = async () => {
    await ui?.stop();
    await stopChild(child, 20_000);
  };
  try {
    const timeoutMs = opts.startTimeoutMs ?? 120_000;
    await waitForPort(HOST, ports.frontend, timeoutMs, () => !exited());
    await prepareNamespace(address, namespace, Date.now() + timeoutMs, () => !exited());
    if (opts.ui) ui = await startTemporalUi({ ...opts.ui, temporalAddress: address, defaultNamespace: namespace });
  } catch (err) {
    await stop();
    throw new Error(`Temporal server did not start: ${(err as Error).message}\n--- server output ---\n${output()}`);
  }
  return { address, namespace, uiUrl: ui?.url ?? '(no Web UI started)', stop };
}

/** The Temporal Web UI (the ui-server) in front of `temporalAddress`, on 127.0.0.1, with a config we generate. */
export async function startTemporalUi(opts: UiOptions): Promise<RunningUi> {
  const binary = await resolveTool('ui');
  const port = opts.port || (await freePort());
  const configDir = path.join(opts.dataDir, 'ui-config');
  await mkdir(configDir, { recursive: true });
  const config = {
    temporalGrpcAddress: opts.temporalAddress,
    host: HOST,
    port,
    enableUi: true,
    defaultNamespace: opts.defaultNamespace ?? 'default',
    hideLogs: true,
    // Plain http on 127.0.0.1: a Secure cookie would never come back.
    cors: { cookieInsecure: true },
    ...(opts.codecEndpoint ? { codec: { endpoint: opts.codecEndpoint, includeCredentials: opts.includeCredentials ?? false } } : {}),
  };
  await writeAtomically(path.join(configDir, 'esu-bridge.yaml'), toYaml(config));
  const child = spawn(binary, ['--root', opts.dataDir, '--config', 'ui-config', '--env', 'esu-bridge', 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output = keepOutput(child);
  const exited = dieWithUs(child);
  const stop = () => stopChild(child);
  try {
    await waitForPort(HOST, port, 30_000, () => !exited());
  } catch (err) {
    await stop();
    throw new Error(`Temporal Web UI did not start: ${(err as Error).message}\n--- ui-server output ---\n${output()}`);
  }
  return { url: `http://${HOST}:${port}`, stop };
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
  const common = ['--plugin', 'postgres12', '--ep', db.host, '--port', String(db.port), '--user', db.user, '--db', database];
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
      throw new Error(`temporal-sql-tool ${args[0]} on database ${database} failed: ${(err as Error).message}\n${`${stdout}\n${stderr}`.trim().slice(-3000)}`);
    }
  }
}

function serverConfig(p: {
  db: PostgresTarget;
  databases: { main: string; visibility: string };
  ports: Record<'frontend' | 'frontendHttp' | 'frontendMembership' | 'history' | 'historyMembership' | 'matching' | 'matchingMembership' | 'worker' | 'workerMembership', number>;
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
      datastores: { 'postgres-default': sql(p.databases.main, 20), 'postgres-visibility': sql(p.databases.visibility, 10) },
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
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: frontend, httpAddress: `${HOST}:${p.ports.frontendHttp}` },
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
async function prepareNamespace(address: string, namespace: string, deadline: number, alive: () => boolean): Promise<void> {
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
      const { status } = await connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
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
    const probe = ALL_SEARCH_ATTRIBUTES.map((key) => (key.type === 'INT' ? `${key.name} = 0` : `${key.name} = 'probe'`)).join(' AND ');
    await retry('waiting for the search attributes', () => connection.workflowService.countWorkflowExecutions({ namespace, query: probe }));
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

function keepOutput(child: ChildProcess): () => string {
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-6000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => output;
}

/** The child runs in its own process group (stop() ends its children too); it dies with us all the same. */
function dieWithUs(child: ChildProcess): () => boolean {
  let exited = false;
  const killOnExit = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);
  child.once('exit', () => {
    exited = true;
    process.removeListener('exit', killOnExit);
  });
  return () => exited;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A pinned binary: the path its environment variable names, else .tools/bin (scripts/ensure-tools.sh), else a
 * `go build` here (to a temporary name, then moved: .tools may be shared by several checkouts).
 */
export async function resolveTool(tool: keyof typeof TOOLS, env: Record<string, string | undefined> = process.env): Promise<string> {
  const { binary, env: variable, pkg } = TOOLS[tool];
  const override = env[variable];
  if (override) {
    if (!(await isExecutable(override))) throw new Error(`${variable}=${override} is not an executable file`);
    return override;
  }
  const built = path.join(TOOLS_DIR, 'bin', binary);
  if (await isExecutable(built)) return built;
  const tmp = path.join(TOOLS_DIR, 'bin', `.${binary}.${process.pid}`);
  await mkdir(path.dirname(built), { recursive: true });
  process.stderr.write(`building ${pkg} pinned in tools/temporal (once)…\n`);
  try {
    await execFileAsync('go', ['build', '-o', tmp, pkg], {
      cwd: path.join(REPO_ROOT, 'tools', 'temporal'),
      env: { ...process.env, GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    throw new Error(`go build of ${pkg} failed (set ${variable} to a built binary, or install Go ≥ 1.23): ${(err as Error).message}`);
  }
  await rename(tmp, built);
  return built;
}
