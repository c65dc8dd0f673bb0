import type { ChildProcess } from 'node:child_process';

/**
 * What every service we start as a child process (the dev server, the Temporal server, the Web UI server) needs:
 * its last output for the error when it fails to start, whether it has exited, and a stop that ends its process
 * group. Children run detached, in their own group (stop() ends their children too), and die with us all the same.
 */
export interface SupervisedChild {
  /** The last `keepChars` characters the child wrote to stdout and stderr. */
  output(): string;
  exited(): boolean;
}

export function supervise(child: ChildProcess, keepChars = 6000): SupervisedChild {
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-keepChars);
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
  return { output: () => output, exited: () => exited };
}

/** Ends a detached child and its process group, waiting for its exit. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      child.kill(sig);
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
