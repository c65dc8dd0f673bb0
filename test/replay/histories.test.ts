import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { encryptionCodecFromEnv } from '../../codec/encryption.js';
import { SAGA_BUNDLE } from '../../workers/sagas.js';

// Histories recorded by test/integration/record-histories.test.ts (RECORD_HISTORIES=1) from real runs: deposits
// from before and after the identification gate and AFM report patches, the operation registry (`-registered`) and
// the lean steps (`-lean`: journal rows carried by local activities, the AFM report started by one), the AFM
// report's first round sent by the saga (`-afm-first-round`; its submission starts acknowledged: `-by-saga`); bets,
// settlements and payouts from before and after the registry and the lean steps (accepted and voided, won and
// refused, completed and compensated); submissions (one reopened by AFM's written notice); and identifications by
// each method (two-factor, photo match, offline review) and with a revoked consent.
// Their payloads are encrypted with the development key, so replay uses the same codec.
const HISTORIES = fileURLToPath(new URL('./histories/', import.meta.url));
const dataConverter = { payloadCodecs: [encryptionCodecFromEnv({})] };
const logger = new DefaultLogger('ERROR');

let current: WorkflowBundleWithSourceMap;
let incompatible: WorkflowBundleWithSourceMap;
let files: string[];

beforeAll(async () => {
  files = (await readdir(HISTORIES)).filter((f) => f.endsWith('.json'));
  current = await bundleWorkflowCode({ ...SAGA_BUNDLE, logger });
  incompatible = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./deposit-incompatible.ts', import.meta.url)),
    logger,
  });
});

/** The CLI's JSON, handed to the SDK as is (runReplayHistory accepts it and converts it itself). */
async function history(file: string): Promise<Parameters<typeof Worker.runReplayHistory>[1]> {
  return JSON.parse(await readFile(HISTORIES + file, 'utf8'));
}

describe('replay of recorded histories', () => {
  it('has histories to replay', () => {
    expect(files.sort()).toEqual([
      'bet-accepted-lean.json',
      'bet-accepted-registered.json',
      'bet-accepted.json',
      'bet-voided-lean.json',
      'deposit-compensated-gated.json',
      'deposit-compensated-lean.json',
      'deposit-compensated-registered.json',
      'deposit-compensated.json',
      'deposit-completed-afm-first-round.json',
      'deposit-completed-gated.json',
      'deposit-completed-lean.json',
      'deposit-completed-registered.json',
      'deposit-completed.json',
      'identification-consent-revoked.json',
      'identification-photo.json',
      'identification-review.json',
      'identification-two-factor.json',
      'payout-compensated-lean.json',
      'payout-completed-afm-first-round.json',
      'payout-completed-lean.json',
      'payout-completed-registered.json',
      'payout-completed.json',
      'reconciliation-clean.json',
      'settlement-refused-lean.json',
      'settlement-won-lean.json',
      'settlement-won-registered.json',
      'settlement-won.json',
      'submission-acknowledged-by-saga.json',
      'submission-acknowledged.json',
      'submission-rejected-by-feed-sent-by-saga.json',
      'submission-rejected-by-feed.json',
      'submission-written-notice.json',
      'verdict-reader.json',
    ]);
  });

  it('replays every recorded history with today’s workflow code', async () => {
    for (const file of files) {
      await Worker.runReplayHistory({ workflowBundle: current, dataConverter }, await history(file), file);
    }
  });

  it('fails with nondeterminism when the saga’s steps change order', async () => {
    const err = await Worker.runReplayHistory(
      { workflowBundle: incompatible, dataConverter },
      await history('deposit-completed.json'),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
  });
});
