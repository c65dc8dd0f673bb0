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
import { ensureReconciliationSchedule } from './reconciliation-schedule.js';
import { encryptionCodecFromEnv } from '../codec/encryption.js';
import { keyUsage } from '../codec/key-usage.js';

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

/**
 * `codec keys`: the keyring of PAYLOAD_KEYS (ids, the current one, key check values; never a key).
 * `codec retire-check <keyId>`: whether the key may leave PAYLOAD_KEYS: not the current key, and no history Temporal
 * still holds carries a payload under it (codec/key-usage.ts). Exit 0: it may go; 3: it may not (what holds it is printed).
 */
async function codecCommand([sub, keyId]: string[], json: boolean): Promise<number> {
  const keyring = encryptionCodecFromEnv().keyring();
  const print = (data: unknown, text: string) => console.log(json ? JSON.stringify(data, null, 2) : text);
  if (sub === 'keys') {
    print(keyring, keyring.map((k) => `${k.keyId.padEnd(24)} ${k.current ? 'current (new payloads)' : 'decodes older payloads'}  check ${k.check}`).join('\n'));
    return 0;
  }
  if (sub !== 'retire-check' || !keyId) throw new UsageError('codec keys | codec retire-check <keyId>');
  const key = keyring.find((k) => k.keyId === keyId);
  if (!key) throw new UsageError(`codec retire-check: key id "${keyId}" is not in PAYLOAD_KEYS (${keyring.map((k) => k.keyId).join(', ')})`);
  if (key.current) {
    print({ keyId, retirable: false, reason: 'current' }, `${keyId} is the current key: put a new key first in PAYLOAD_KEYS, then retire this one once its histories are gone`);
    return 3;
  }
  const temporal = temporalConfig();
  const connection = await Connection.connect({ address: temporal.address, tls: temporal.tls, apiKey: temporal.apiKey });
  try {
    const usage = await keyUsage(new Client({ connection, namespace: temporal.namespace }), keyId);
    const retirable = usage.workflows.length === 0 && !usage.truncated;
    const lines = usage.workflows.slice(0, 50).map((w) => `  ${w.workflowId} (${w.status}, ${w.payloads} payloads)`);
    print({ ...usage, retirable }, retirable
      ? `${keyId}: no history of the ${usage.scanned} Temporal holds in ${temporal.namespace} uses it; it may leave PAYLOAD_KEYS`
      : [`${keyId}: still needed by ${usage.workflows.length} of ${usage.scanned} retained histories${usage.truncated ? ' (scan stopped early)' : ''}; keep it until they close and pass the namespace's retention`, ...lines].join('\n'));
    return retirable ? 0 : 3;
  } finally {
    await connection.close();
  }
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
      csv: { type: 'boolean' },
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
  if (positionals[0] === 'codec') return codecCommand(positionals.slice(1), Boolean(values.json));
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
    const scheduleReconciliation = () => ensureReconciliationSchedule(client, temporal.taskQueue);
    const result = await runCommand({ actor, service, journal, positionals, flags: values, scheduleReconciliation });
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
