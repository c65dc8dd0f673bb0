import { describe, expect, it } from 'vitest';
import { BusinessKey, depositWorkflowId, parseWorkflowId, stepKey } from '../../domain/ids.js';
import { AmountTiyn, formatKzt, MAX_OPERATION_TIYN } from '../../domain/money.js';
import { DepositRequest } from '../../domain/deposit.js';
import { firstSubmissionId, resubmissionId, submissionWorkflowId } from '../../domain/submission.js';

describe('workflow ids', () => {
  it('builds and parses <Process>:<businessKey>', () => {
    expect(depositWorkflowId('dep-1')).toBe('Deposit:dep-1');
    expect(parseWorkflowId('Deposit:dep-1')).toEqual({ process: 'Deposit', businessKey: 'dep-1' });
    expect(stepKey('dep-1', 'refund')).toBe('dep-1:refund');
  });

  it('refuses ids that are not ours', () => {
    expect(() => parseWorkflowId('Withdrawal:1')).toThrow(/not an esu-bridge workflow id/);
    expect(() => parseWorkflowId('Deposit:')).toThrow();
    expect(() => parseWorkflowId('Deposit:a b')).toThrow();
    expect(BusinessKey.safeParse('x'.repeat(65)).success).toBe(false);
  });

  it('takes submission ids longer than a business key: a counterpart prefix and an attempt suffix', () => {
    const operationId = 'd'.repeat(64);
    const corrected = resubmissionId(firstSubmissionId('AFM', operationId), 12);
    expect(corrected).toBe(`afm-${operationId}-r12`);
    expect(parseWorkflowId(submissionWorkflowId(corrected))).toEqual({ process: 'Submission', businessKey: corrected });
    expect(() => parseWorkflowId(`Deposit:${corrected}`)).toThrow(/not an esu-bridge workflow id/);
    expect(() => parseWorkflowId(`Submission:${'x'.repeat(81)}`)).toThrow(/not an esu-bridge workflow id/);
  });
});

describe('money', () => {
  it('accepts whole positive tiyn up to the limit only', () => {
    expect(AmountTiyn.safeParse(1).success).toBe(true);
    expect(AmountTiyn.safeParse(MAX_OPERATION_TIYN).success).toBe(true);
    expect(AmountTiyn.safeParse(MAX_OPERATION_TIYN + 1).success).toBe(false);
    expect(AmountTiyn.safeParse(0).error?.issues[0]?.message).toBe('amount must be greater than zero');
    expect(AmountTiyn.safeParse(10.5).error?.issues[0]?.message).toBe(
      'amount must be a whole number of tiyn (1 KZT = 100 tiyn)',
    );
  });

  it('formats tiyn as tenge', () => {
    expect(formatKzt(123_456_789)).toBe('1 234 567.89 KZT');
    expect(formatKzt(5)).toBe('0.05 KZT');
  });

  it('names every bad field of a deposit request', () => {
    const result = DepositRequest.safeParse({ depositId: 'ok', iin: '123', amountTiyn: -1, currency: 'USD' });
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['amountTiyn', 'currency', 'iin']);
  });
});
