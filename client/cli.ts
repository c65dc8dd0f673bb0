import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFromEnv } from '../codec/data-converter.js';
import { consoleConfig } from '../config/console.js';
import { databaseRole, databaseUrl, temporalConfig } from '../config/index.js';
import { assertProductionReady } from '../config/production.js';
import { createPool } from '../db/pool.js';
import { ConsoleError, type ConsoleErrorCode } from '../console/audit.js';
import { authenticate, hashPassword } from '../console/auth.js';
import { createConsole } from '../console/index.js';
import { apiConfig, apiKeyEntry } from '../api/config.js';
import { runCommand, UsageError, USAGE } from './cli-commands.js';

/**
 * `npm run cli -- <command>`: the compliance console's actions from a terminal, for people and scripts
 * (--json). It works in-process on PostgreSQL and Temporal (DATABASE_URL, TEMPORAL_*), as the signed-in user
 * CONSOLE_USER / CONSOLE_PASSWORD with that user's role, and journals every command like the web console.
 */
const EXIT: Record<ConsoleErrorCode, number> = { INVALID: 2, REFUSED: 3, NOT_FOUND: 4, UNAUTHENTICATED: 5, FORBIDDEN: 5, TOO_MANY: 6, UNAVAILABLE: 6, FAILED: 1 };

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      status: { type: 'string' },
      counterpart: { type: 'string' },
      bettor: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      mine: { type: 'boolean' },
      file: { type: 'string' },
      id: { type: 'string' },
      note: { type: 'string' },
      day: { type: 'string' },
      whole: { type: 'boolean' },
      out: { type: 'string' },
      anchor: { type: 'string' },
      record: { type: 'string' },
      actor: { type: 'string' },
      event: { type: 'string' },
      reference: { type: 'string' },
      date: { type: 'string' },
      reason: { type: 'string' },
      scan: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !positionals.length) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (positionals[0] === 'api' && positionals[1] === 'new-key') {
    const [, , name, scopes = '*'] = positionals;
    if (!name) throw new UsageError('api new-key <service-name> [scope+scope…]');
    const key = randomBytes(24).toString('base64url');
    const entry = apiKeyEntry(name, key, scopes.split('+'));
    try {
      apiConfig({ API_KEYS: entry }); // the same check the API applies at start
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    console.log(`key for ${name} (hand it to the service; only its hash is configured): ${key}\nAPI_KEYS entry: ${entry}`);
    return 0;
  }
  if (positionals[0] === 'console' && positionals[1] === 'hash-password') {
    console.log(hashPassword(await readStdin()));
    return 0;
  }

  assertProductionReady('cli');
  const config = consoleConfig();
  const actor = await authenticate(config.users, process.env.CONSOLE_USER ?? '', process.env.CONSOLE_PASSWORD ?? '');
  if (!actor) throw new ConsoleError('UNAUTHENTICATED', 'set CONSOLE_USER and CONSOLE_PASSWORD to a user of CONSOLE_USERS');

  const temporal = temporalConfig();
  // Lazy: reading inboxes or verifying the journal needs only PostgreSQL.
  const connection = Connection.lazy({ address: temporal.address, tls: temporal.tls, apiKey: temporal.apiKey });
  const client = new Client({ connection, namespace: temporal.namespace, dataConverter: dataConverterFromEnv() });
  const pool = createPool(databaseUrl(), 2, undefined, databaseRole());
  try {
    const { service, journal } = createConsole({ pool, client, taskQueue: temporal.taskQueue });
    const result = await runCommand({ actor, service, journal, positionals, flags: values });
    console.log(values.json ? JSON.stringify(result.data, null, 2) : result.text);
    return result.exitCode ?? 0;
  } finally {
    await pool.end();
    await connection.close().catch(() => undefined);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    const json = process.argv.includes('--json');
    if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`${(err as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    const error = err instanceof ConsoleError ? err : new ConsoleError('FAILED', (err as Error)?.stack ?? String(err));
    if (json) console.error(JSON.stringify({ error: { code: error.code, message: error.message, details: error.details } }));
    else console.error(`${error.code}: ${error.message}`);
    process.exit(EXIT[error.code]);
  },
);
