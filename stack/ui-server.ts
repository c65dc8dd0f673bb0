import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './ports.js';
import { resolveTool } from './tools.js';
import { stopChild, supervise } from './child-process.js';

/**
 * The Temporal Web UI as a process of its own: the UI server the CLI embeds (github.com/temporalio/ui-server/v2,
 * pinned in tools/temporal/go.mod), run with a config of ours. The dev server's own UI takes a codec endpoint
 * (`--ui-codec-endpoint`) but never sends the browser's credentials to it (CLI v1.5.1 sets only the endpoint), so
 * the console, which decodes for a signed-in officer only, would see no session and refuse every payload. This
 * one sets `codec.includeCredentials`, as `TEMPORAL_CODEC_INCLUDE_CREDENTIALS=true` does for the temporalio/ui image.
 */

export interface UiServerOptions {
  /** The UI server binary; `resolveUiServer()` when absent. */
  binary?: string;
  /** host:port of the Temporal frontend. */
  temporalAddress: string;
  host?: string;
  /** Any free port when absent. */
  port?: number;
  namespace?: string;
  /** The codec server the browser calls with the officer's session (`<endpoint>/decode`). */
  codecEndpoint?: string;
}

export interface RunningUiServer {
  url: string;
  stop(): Promise<void>;
}

/** `TEMPORAL_UI_SERVER_PATH`, the built binary in .tools/bin, or a `go build` of the pinned version into it. */
export const resolveUiServer = (env: Record<string, string | undefined> = process.env): Promise<string> =>
  resolveTool('ui', env);

/** The UI server's YAML config (server/config/config.go of ui-server); JSON is YAML. */
export function uiServerConfig(
  opts: Required<Omit<UiServerOptions, 'codecEndpoint' | 'binary'>> & { codecEndpoint?: string },
): string {
  return JSON.stringify(
    {
      temporalGrpcAddress: opts.temporalAddress,
      host: opts.host,
      port: opts.port,
      enableUi: true,
      defaultNamespace: opts.namespace,
      notifyOnNewVersion: false,
      refreshInterval: '1m',
      cors: { cookieInsecure: true, allowOrigins: [], unsafeAllowAllOrigins: false },
      auth: { enabled: false },
      codec: opts.codecEndpoint
        ? { endpoint: opts.codecEndpoint, passAccessToken: false, includeCredentials: true }
        : { endpoint: '' },
    },
    null,
    2,
  );
}

/** Starts the UI server and resolves once it listens; `stop()` ends it and removes its config. */
export async function startUiServer(opts: UiServerOptions): Promise<RunningUiServer> {
  const binary = opts.binary ?? (await resolveUiServer());
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port || (await freePort());
  const root = await mkdtemp(path.join(tmpdir(), 'esu-bridge-ui-'));
  await mkdir(path.join(root, 'config'));
  await writeFile(
    path.join(root, 'config', 'esu-bridge.yaml'),
    uiServerConfig({
      temporalAddress: opts.temporalAddress,
      host,
      port,
      namespace: opts.namespace ?? 'default',
      codecEndpoint: opts.codecEndpoint,
    }),
  );
  const child = spawn(binary, ['--root', root, '--config', 'config', '--env', 'esu-bridge', 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const { output, exited } = supervise(child);
  const stop = async () => {
    await stopChild(child);
    await rm(root, { recursive: true, force: true });
  };
  try {
    await waitForPort(host, port, 30_000, () => !exited());
  } catch (err) {
    await stop();
    throw new Error(`Temporal UI server did not start: ${(err as Error).message}\n--- output ---\n${output()}`);
  }
  return { url: `http://${host}:${port}`, stop };
}
