import pg from 'pg';

// bigint columns hold tiyn; every amount we store is inside Number.MAX_SAFE_INTEGER (domain/money.ts).
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${value} does not fit a safe integer`);
  return n;
});

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** One line of the log: JSON on stdout, like the worker's telemetry. */
export type LogLine = (line: Record<string, unknown>) => void;
const stdoutLine: LogLine = (line) => console.log(JSON.stringify(line));

/** An error's message on one line, with any `scheme://user:password@` credentials cut out. */
export function safeMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message
    .replace(/\s+/g, ' ')
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@')
    .slice(0, 300);
}

/**
 * The only way pools are made. A connection PostgreSQL drops (a restart, a failover, an idle timeout) is an
 * `'error'` event, which would end the process without a listener: it is logged instead, once per outage and
 * without the connection string (it holds the password), and the pool opens a new connection on next use.
 * A client checked out at that moment fails its caller's next query, which reports it.
 */
export function createPool(connectionString: string, max = 10, log: LogLine = stdoutLine, role?: string): pg.Pool {
  // `role` (DATABASE_ROLE): every connection takes it at start-up, before any query; a role the user may not take
  // fails the connection instead of leaving it with the user's own rights (migration 018_b: esu_bridge_app).
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: 'esu-bridge',
    ...(role ? { options: `-c role=${role}` } : {}),
  });
  let lost = false;
  pool.on('error', (err) => {
    if (lost) return;
    lost = true;
    log({
      level: 'WARN',
      msg: 'PostgreSQL connection lost; the pool reconnects on next use',
      code: (err as { code?: string }).code,
      error: safeMessage(err),
    });
  });
  pool.on('connect', (client) => {
    lost = false;
    client.on('error', () => undefined);
  });
  return pool;
}

/**
 * Runs a command once (`esu-bridge migrate`, `retention`) on a one-connection pool of the database `url()` names.
 * A configuration `url()` refuses is exit 2, its message prefixed with the command; the pool's log lines go to
 * stderr, so stdout keeps the command's own output; the pool is ended once `run` is done.
 */
export async function withCommandPool(
  command: string,
  url: () => string,
  run: (pool: pg.Pool) => Promise<number>,
): Promise<number> {
  let connectionString: string;
  try {
    connectionString = url();
  } catch (err) {
    console.error(`${command}: ${(err as Error).message}`);
    return 2;
  }
  const pool = createPool(connectionString, 1, (line) => console.error(JSON.stringify(line)));
  try {
    return await run(pool);
  } finally {
    await pool.end();
  }
}

/** Asks PostgreSQL for an answer: resolves once the database takes a query, rejects while it does not. */
export async function databaseAnswers(pool: pg.Pool): Promise<void> {
  await pool.query('SELECT 1');
}

/** The statement that opens a snapshot that only reads: every query in it sees the same committed state. */
export const READ_ONLY_SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/** Runs `fn` in one transaction (opened by `begin`, e.g. READ_ONLY_SNAPSHOT), rolling back on any error. */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
