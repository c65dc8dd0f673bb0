import { Client, Connection } from '@temporalio/client';
import { dataConverterFromEnv } from '../codec/data-converter.js';
import { temporalConfig, type TemporalConfig } from '../config/temporal.js';

/** Opens a Temporal client with the project's data converter (encrypted payloads and failures), from TEMPORAL_* variables. */
export async function connectClient(
  env: Record<string, string | undefined> = process.env,
  config: TemporalConfig = temporalConfig(env),
): Promise<{ client: Client; connection: Connection; taskQueue: string }> {
  const connection = await Connection.connect({ address: config.address, tls: config.tls, apiKey: config.apiKey });
  const client = new Client({
    connection,
    namespace: config.namespace,
    dataConverter: dataConverterFromEnv(env),
  });
  return { client, connection, taskQueue: config.taskQueue };
}
