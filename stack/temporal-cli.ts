import { execFile, spawn } from 'node:child_process';
import { isExecutable } from './tools.js';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, TOOLS_DIR } from './paths.js';

const execFileAsync = promisify(execFile);

/** Where `go build` puts the pinned CLI (tools/temporal/go.mod pins github.com/temporalio/cli). */
export const BUILT_CLI = path.join(TOOLS_DIR, 'bin', 'temporal');
const TOOLS_MODULE = path.join(REPO_ROOT, 'tools', 'temporal');

async function onPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && (await isExecutable(path.join(dir, command)))) return path.join(dir, command);
  }
  return undefined;
}

/**
 * The Temporal CLI to run the dev server with, in this order: `TEMPORAL_CLI_PATH`; `temporal` on PATH;
 * the repo's built binary in .tools/bin; a fresh `go build` of the version pinned in tools/temporal.
 */
export async function resolveTemporalCli(env: Record<string, string | undefined> = process.env): Promise<string> {
  if (env.TEMPORAL_CLI_PATH) {
    if (!(await isExecutable(env.TEMPORAL_CLI_PATH)))
      throw new Error(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file`);
    return env.TEMPORAL_CLI_PATH;
  }
  const fromPath = await onPath('temporal');
  if (fromPath) return fromPath;
  if (await isExecutable(BUILT_CLI)) return BUILT_CLI;
  return buildTemporalCli();
}

/** Builds the pinned CLI with the machine's go. go.sum is committed, so every module's hash is verified. */
export async function buildTemporalCli(): Promise<string> {
  const go =
    (await onPath('go')) ?? ((await isExecutable('/usr/local/go/bin/go')) ? '/usr/local/go/bin/go' : undefined);
  if (!go) {
    throw new Error(
      'The Temporal CLI is needed and neither `temporal` nor `go` was found. Install the CLI ' +
        '(https://docs.temporal.io/cli#install, e.g. `brew install temporal`) and put it on PATH or set TEMPORAL_CLI_PATH, ' +
        'or install Go ≥ 1.23 so esu-bridge can build the pinned version itself.',
    );
  }
  process.stderr.write(`building the Temporal CLI pinned in tools/temporal with ${go} (once; takes a few minutes)…\n`);
  await new Promise<void>((resolve, reject) => {
    // GOFLAGS=-mod=readonly: the committed go.mod/go.sum are the pin; nothing is resolved afresh.
    const child = spawn(go, ['build', '-o', BUILT_CLI, 'github.com/temporalio/cli/cmd/temporal'], {
      cwd: TOOLS_MODULE,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' },
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`go build of the Temporal CLI exited with ${code}`)),
    );
  });
  return BUILT_CLI;
}

export async function temporalCliVersion(cli: string): Promise<string> {
  const { stdout } = await execFileAsync(cli, ['--version']);
  return stdout.trim();
}
