import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { access, constants, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './ports.js';
import { REPO_ROOT, TOOLS_DIR } from './paths.js';
import { stopChild } from './dev-server.js';

/**
 * The Temporal Web UI as a process of its own: the UI server the CLI embeds (github.com/temporalio/ui-server/v2,
 * pinned in tools/temporal/go.mod), run with a config of ours. The dev server's own UI takes a codec endpoint
 * (`--ui-codec-endpoint`) but never sends the browser's credentials to it (CLI v1.5.1 sets only the endpoint), so
 * the console, which decodes for a signed-in officer only, would see no session and refuse every payload. This
 * one sets `codec.includeCredentials`, as `TEMPORAL_CODEC_INCLUDE_CREDENTIALS=true` does for the temporalio/ui image.
 */
export const BUILT_UI_SERVER = path.join(TOOLS_DIR, 'bin', 'temporal-ui-server');
const TOOLS_MODULE = path.join(REPO_ROOT, 'tools', 'temporal');

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

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** `TEMPORAL_UI_SERVER_PATH`, the built binary in .tools/bin, or a `go build` of the pinned version into it. */
export async function resolveUiServer(env: Record<string, string | undefined> = process.env): Promise<string> {
  if (env.TEMPORAL_UI_SERVER_PATH) {
    if (!(await isExecutable(env.TEMPORAL_UI_SERVER_PATH))) throw new Error(`TEMPORAL_UI_SERVER_PATH=${env.TEMPORAL_UI_SERVER_PATH} is not an executable file`);
    return env.TEMPORAL_UI_SERVER_PATH;
  }
  if (await isExecutable(BUILT_UI_SERVER)) return BUILT_UI_SERVER;
  const go = (await isExecutable('/usr/local/go/bin/go')) && !(env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, 'go'))) ? '/usr/local/go/bin/go' : 'go';
  process.stderr.write('building the Temporal UI server pinned in tools/temporal with go (once)…\n');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(go, ['build', '-o', BUILT_UI_SERVER, 'github.com/temporalio/ui-server/v2/cmd/server'], {
      cwd: TOOLS_MODULE,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' },
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go build of the Temporal UI server exited with ${code}`))));
  });
  return BUILT_UI_SERVER;
}

/** The UI server's YAML config (server/config/config.go of ui-server); JSON is YAML. */
export function uiServerConfig(opts: Required<Omit<UiServerOptions, 'codecEndpoint' | 'binary'>> & { codecEndpoint?: string }): string {
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
      codec: opts.codecEndpoint ? { endpoint: opts.codecEndpoint, passAccessToken: false, includeCredentials: true } : { endpoint: '' },
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
  await writeFile(path.join(root, 'config', 'esu-bridge.yaml'), uiServerConfig({ temporalAddress: opts.temporalAddress, host, port, namespace: opts.namespace ?? 'default', codecEndpoint: opts.codecEndpoint }));
  const child = spawn(binary, ['--root', root, '--config', 'config', '--env', 'esu-bridge', 'start'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
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
  const stop = async () => {
    await stopChild(child);
    await rm(root, { recursive: true, force: true });
  };
  try {
    await waitForPort(host, port, 30_000, () => !exited);
  } catch (err) {
    await stop();
    throw new Error(`Temporal UI server did not start: ${(err as Error).message}\n--- output ---\n${output}`);
  }
  return { url: `http://${host}:${port}`, stop };
}
