import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeFlags } from '../domain/search-attributes.js';
import { stopChild, supervise } from './child-process.js';
import { freePort, waitForPort } from './ports.js';
import { resolveTemporalCli } from './temporal-cli.js';
import { resolveUiServer, startUiServer } from './ui-server.js';

export interface RunningTemporal {
  address: string;
  uiUrl: string;
  namespace: string;
  /** The server's process id when we started it (for its memory, read from /proc); absent for a cluster we only connect to. */
  pid?: number;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  port?: number;
  uiPort?: number;
  /** SQLite file to persist into; in memory when absent. */
  dbFilename?: string;
  namespace?: string;
  logLevel?: string;
  /**
   * The codec server the Web UI decodes payloads with (the console's `/codec`). Given one, the dev server runs
   * headless and the UI is the pinned UI server (stack/ui-server.ts) with the endpoint and `includeCredentials`,
   * so the officer's console session reaches the endpoint: the dev server's own `--ui-codec-endpoint` never sends
   * credentials.
   */
  codecEndpoint?: string;
}

const HOST = '127.0.0.1';

/**
 * Starts `temporal server start-dev` (the pinned CLI) with its Web UI, our namespace and our custom search
 * attributes, and resolves once the namespace answers. `stop()` ends the server and waits for it.
 */
export async function startDevServer(opts: DevServerOptions = {}): Promise<RunningTemporal> {
  const cli = await resolveTemporalCli();
  const port = opts.port || (await freePort());
  const uiPort = opts.uiPort || (await freePort());
  const namespace = opts.namespace ?? 'default';
  // With a codec endpoint the UI is the pinned UI server, when it can be had (built, or go to build it); else the
  // dev server's own UI gets the endpoint, and each officer ticks "Include cross-origin credentials" in the UI's
  // Codec Server settings (per browser) for the session to reach it.
  const uiServer = opts.codecEndpoint
    ? await resolveUiServer().catch((err: Error) => {
        process.stderr.write(
          `Temporal UI server unavailable (${err.message}): the dev server's UI gets the codec endpoint without credentials\n`,
        );
        return undefined;
      })
    : undefined;
  if (opts.dbFilename) await mkdir(path.dirname(opts.dbFilename), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    HOST,
    '--port',
    String(port),
    ...(uiServer ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...(opts.codecEndpoint && !uiServer ? ['--ui-codec-endpoint', opts.codecEndpoint] : []),
    '--namespace',
    namespace,
    '--log-level',
    opts.logLevel ?? 'warn',
    ...(opts.dbFilename ? ['--db-filename', opts.dbFilename] : []),
    ...devServerSearchAttributeFlags(),
  ];
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const { output, exited } = supervise(child);
  const stop = () => stopChild(child);
  try {
    await waitForPort(HOST, port, 60_000, () => !exited());
    await waitForNamespace(`${HOST}:${port}`, namespace, 60_000);
  } catch (err) {
    await stop();
    throw new Error(`Temporal dev server did not start: ${(err as Error).message}\n--- server output ---\n${output()}`);
  }
  if (!uiServer || !opts.codecEndpoint)
    return { address: `${HOST}:${port}`, uiUrl: `http://${HOST}:${uiPort}`, namespace, pid: child.pid, stop };
  try {
    const ui = await startUiServer({
      binary: uiServer,
      temporalAddress: `${HOST}:${port}`,
      host: HOST,
      port: uiPort,
      namespace,
      codecEndpoint: opts.codecEndpoint,
    });
    return {
      address: `${HOST}:${port}`,
      uiUrl: ui.url,
      namespace,
      pid: child.pid,
      stop: async () => {
        await ui.stop();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The Temporal to use: the cluster named by TEMPORAL_ADDRESS when set (stop() leaves it alone), else a dev
 * server started here.
 */
export async function connectOrStartTemporal(opts: DevServerOptions = {}): Promise<RunningTemporal> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (address) {
    const namespace = process.env.TEMPORAL_NAMESPACE ?? opts.namespace ?? 'default';
    return {
      address,
      namespace,
      uiUrl: process.env.TEMPORAL_UI_URL ?? '(the cluster’s own UI)',
      stop: async () => undefined,
    };
  }
  return startDevServer(opts);
}

async function waitForNamespace(address: string, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
  try {
    for (;;) {
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await connection.close();
  }
}
