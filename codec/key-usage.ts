import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { payloadKeyId } from './encryption.js';

/**
 * Which payload keys the histories Temporal still holds were written with. Histories cannot be rewritten, so key
 * rotation here is: put the new key first in PAYLOAD_KEYS (new payloads use it), keep the old ones after it (old
 * payloads still decode: the worker replays them, the console's codec endpoint shows them), and remove an old key
 * only once no history that Temporal still holds carries a payload under it — after the namespace's retention has
 * run past the last workflow that used it. The key id travels in each payload's metadata, in clear, so this scan
 * needs no key. esu-bridge keeps no encrypted payloads of its own (its tables are in the bookmaker's database), so
 * there is nothing to re-encrypt.
 */
export interface KeyUsage {
  keyId: string;
  /** Workflows (open, or closed and still retained) with at least one payload under the key, up to `limit`. */
  workflows: { workflowId: string; runId: string; status: string; payloads: number }[];
  /** How many executions were read. */
  scanned: number;
  /** True when the scan stopped at `limit` executions: the answer is then a lower bound. */
  truncated: boolean;
}

function isPayload(value: unknown): value is Payload {
  return (
    typeof value === 'object' &&
    value !== null &&
    'metadata' in value &&
    typeof (value as Payload).metadata === 'object' &&
    (value as Payload).metadata !== null
  );
}

/** Counts the payloads of one history per key id (walks the history's messages; payloads sit at many depths). */
export function keyIdsIn(history: unknown): Map<string, number> {
  const counts = new Map<string, number>();
  const stack: unknown[] = [history];
  while (stack.length) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || node instanceof Uint8Array) continue;
    if (isPayload(node)) {
      const id = payloadKeyId(node);
      if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const value of Array.isArray(node) ? node : Object.values(node))
      if (typeof value === 'object' && value !== null) stack.push(value);
  }
  return counts;
}

export async function keyUsage(
  client: Client,
  keyId: string,
  options: { query?: string; limit?: number } = {},
): Promise<KeyUsage> {
  const limit = options.limit ?? 100_000;
  const usage: KeyUsage = { keyId, workflows: [], scanned: 0, truncated: false };
  for await (const execution of client.workflow.list(options.query ? { query: options.query } : {})) {
    if (usage.scanned >= limit) {
      usage.truncated = true;
      break;
    }
    usage.scanned += 1;
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const payloads = keyIdsIn(history).get(keyId) ?? 0;
    if (payloads > 0)
      usage.workflows.push({
        workflowId: execution.workflowId,
        runId: execution.runId,
        status: execution.status.name,
        payloads,
      });
  }
  return usage;
}
