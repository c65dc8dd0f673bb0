import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { access, constants, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, TOOLS_DIR } from './paths.js';

const execFileAsync = promisify(execFile);

/** The binaries tools/temporal/go.mod pins next to the CLI, as scripts/ensure-tools.sh builds them. */
const TOOLS = {
  server: { binary: 'temporal-server', env: 'TEMPORAL_SERVER_PATH', pkg: 'go.temporal.io/server/cmd/server' },
  sqlTool: { binary: 'temporal-sql-tool', env: 'TEMPORAL_SQL_TOOL_PATH', pkg: 'go.temporal.io/server/cmd/tools/sql' },
  ui: {
    binary: 'temporal-ui-server',
    env: 'TEMPORAL_UI_SERVER_PATH',
    pkg: 'github.com/temporalio/ui-server/v2/cmd/server',
  },
} as const;

/** `go` from PATH, else the standard install's, which a non-login shell's PATH may lack. */
function goBinary(env: Record<string, string | undefined>): string {
  const onPath = (env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, 'go')));
  return !onPath && existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
}

/** True when `file` exists and may be executed. */
export async function isExecutable(file: string): Promise<boolean> {
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
export async function resolveTool(
  tool: keyof typeof TOOLS,
  env: Record<string, string | undefined> = process.env,
): Promise<string> {
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
    await execFileAsync(goBinary(env), ['build', '-o', tmp, pkg], {
      cwd: path.join(REPO_ROOT, 'tools', 'temporal'),
      env: { ...process.env, GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    throw new Error(
      `go build of ${pkg} failed (set ${variable} to a built binary, or install Go ≥ 1.23): ${(err as Error).message}`,
    );
  }
  await rename(tmp, built);
  return built;
}
