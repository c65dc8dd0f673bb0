import { describe, expect, it } from 'vitest';
import { readBettorIdentification, StepRejectedError } from '../../client/index.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { identifyByPhoto } from '../support/identification.js';
import { simAdmin } from '../support/sim-admin.js';
import { stack, useFileStack } from '../support/stack.js';

useFileStack();

const smsCode = (sessionId: string) => simAdmin(stack.simulators.nomapay.url).smsCode(sessionId);

describe('identification against the real stack', () => {
  it('identifies a bettor by two-factor authentication, stores the status sagas read, and journals every step', async () => {
    const iin = adultIin();
    const bettorId = uniqueId('bettor');
    const id = await stack.esuBridge.startIdentification({ bettorId });
    await id.giveConsent({ accepted: true, agreementVersion: '2024-11' });
    const opened = await id.startTwoFactor({ iin, phone: '+7 701 123 45 67' });
    await id.submitLiveness({ livenessToken: 'capture-1' });
    await id.sendSmsCode();
    const wrong = await id.submitSmsCode({ code: '00000' });
    expect(wrong.result).toBe('WRONG_CODE');
    expect((await id.submitSmsCode({ code: await smsCode(opened.state.session!.sessionId) })).result).toBe(
      'CODE_ACCEPTED',
    );
    const state = await id.result();

    expect(state).toMatchObject({
      step: 'IDENTIFIED',
      method: 'TWO_FACTOR',
      walletId: bettorId,
      esuRegistrationId: bettorId,
    });
    const record = await readBettorIdentification(stack.pool, { bettorRef: stack.esuBridge.bettorRef(iin) });
    expect(record).toMatchObject({ bettorId, status: 'IDENTIFIED', method: 'TWO_FACTOR', walletId: bettorId });
    const data = await stack.pool.query('SELECT source, data FROM bettor_personal_data WHERE bettor_id = $1', [
      bettorId,
    ]);
    expect(data.rows[0]).toMatchObject({ source: 'TWO_FACTOR', data: { iin } });
    expect(Object.keys(data.rows[0].data)).not.toContain('photo');
    expect(await simAdmin(stack.simulators.esu.url).appliedCount(`bettor:${bettorId}`)).toBe(1);
    expect(await simAdmin(stack.simulators.nomapay.url).appliedCount(`wallet:${bettorId}`)).toBe(1);

    // National Bank resolution No. 116 §55.11: start, event, acting user, record id, end, result, for every request and its answer.
    const journal = await stack.pool.query(
      'SELECT started_at, ended_at, event, actor, result, details FROM journal WHERE record_id = $1 ORDER BY id',
      [bettorId],
    );
    expect(journal.rows.map((r) => r.event)).toContain('identification.code-checked');
    expect(journal.rows.every((r) => r.started_at <= r.ended_at && r.actor && r.result)).toBe(true);
    expect(journal.rows.find((r) => r.event === 'identification.consent-given')?.actor).toBe('bettor');
    expect(JSON.stringify(journal.rows)).not.toContain(iin);

    const again = await stack.esuBridge.startIdentification({ bettorId });
    expect(again.joined).toBe(false);
    expect((await again.result()).step).toBe('IDENTIFIED'); // answered from PostgreSQL, nothing sent again
    expect(await simAdmin(stack.simulators.esu.url).appliedCount(`bettor:${bettorId}`)).toBe(1);
  });

  it('identifies by photo match with the signed consent confirmation, after the bookmaker decides', async () => {
    const { bettorId } = await identifyByPhoto(stack.esuBridge, stack.simulators.nomapay.url, adultIin(), 85);
    const data = await stack.pool.query('SELECT source FROM bettor_personal_data WHERE bettor_id = $1', [bettorId]);
    expect(data.rows).toEqual([{ source: 'PHOTO_MATCH' }]);
  });

  it('blocks liveness for the person after 4 failures, on the simulator as in the workflow', async () => {
    const iin = adultIin();
    await simAdmin(stack.simulators.nomapay.url).setPerson({ iin, liveness: [false, false, false, false] });
    const id = await stack.esuBridge.startIdentification({ bettorId: uniqueId('bettor') });
    await id.giveConsent({ accepted: true, agreementVersion: '2024-11' });
    await id.startTwoFactor({ iin, phone: '+77011234567' });
    for (let i = 0; i < 3; i++) await id.submitLiveness({ livenessToken: `c${i}` });
    const blocked = await id.submitLiveness({ livenessToken: 'c3' });
    expect(blocked.result).toBe('LIVENESS_BLOCKED');
    const early = await id.startTwoFactor({ iin, phone: '+77011234567' }).catch((e) => e);
    expect(early).toBeInstanceOf(StepRejectedError);
    const record = await readBettorIdentification(stack.pool, { bettorRef: stack.esuBridge.bettorRef(iin) });
    expect(record?.status).toBe('BLOCKED');
    expect(record?.blockedUntil).toBe(blocked.state.blockedUntil);
    await stack.client.workflow.getHandle(id.workflowId).terminate('test finished');
  });
});
