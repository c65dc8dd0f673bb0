import { describe, expect, it, vi } from 'vitest';
import { reconciliationCsv, runReconciliationCommand, type ReconciliationDay } from '../../client/reconciliation.js';

const clean: ReconciliationDay = {
  day: '2026-12-01',
  runs: 1,
  open: 0,
  differences: [],
  summary: '2026-12-01: no difference — our records, the ledger, ESU, Nomapay and AFM agree',
};
const withOne: ReconciliationDay = {
  day: '2026-12-01',
  runs: 1,
  open: 1,
  summary: '2026-12-01: 1 difference(s), 1 open',
  differences: [
    {
      differenceId: '2026-12-01:NOMAPAY:MISSING_AT_OURS:dep-x',
      counterpart: 'NOMAPAY',
      kind: 'MISSING_AT_OURS',
      recordId: 'dep-x',
      theirs: { amountTiyn: 500, status: 'COMPLETED', at: '2026-12-01T05:00:00.000Z' },
      message: '=HYPERLINK("x"), "quoted"',
      status: 'OPEN',
      foundAt: '2026-12-02T01:00:00.000Z',
      dueAt: '2026-12-03T19:00:00.000Z',
    },
  ],
};

describe('reconcile run|show (the CLI command as one function)', () => {
  it('runs the day, prints its result and exits 0 when clean, 8 while differences are open, 2 on a bad call', async () => {
    const lines: string[] = [];
    const run = vi.fn(async () => undefined);
    const print = (l: string) => void lines.push(l);
    /** `reconcile <command>` with `flags`, against a bridge whose day reads as `day`; its exit code. */
    const command = (name: 'run' | 'show', day: ReconciliationDay, flags: Record<string, string | boolean>) =>
      runReconciliationCommand({
        deps: { run, show: async () => day },
        positionals: ['reconcile', name],
        flags,
        print,
      });
    expect(await command('run', clean, { day: '2026-12-01' })).toBe(0);
    expect(run).toHaveBeenCalledWith('2026-12-01');
    expect(lines.pop()).toBe(clean.summary);
    expect(await command('show', withOne, { day: '2026-12-01', json: true })).toBe(8);
    expect(JSON.parse(lines.pop()!)).toEqual(withOne);
    expect(run).toHaveBeenCalledTimes(1);
    expect(await command('show', clean, {})).toBe(2);
    expect(lines.pop()).toMatch(/^usage: reconcile run\|show --day/);
  });

  it('writes the day as CSV, a formula neutralised and quotes doubled; a clean day says so', () => {
    const [header, row] = reconciliationCsv(withOne).split('\r\n');
    expect(header).toBe(
      'difference_id,day,counterpart,kind,record_id,operation_id,operation_kind,our_amount_tiyn,their_amount_tiyn,our_status,their_status,message,status,found_at,due_at,assignee,resolved_at,resolved_by,resolution',
    );
    expect(row).toBe(
      `2026-12-01:NOMAPAY:MISSING_AT_OURS:dep-x,2026-12-01,NOMAPAY,MISSING_AT_OURS,dep-x,,,,500,,COMPLETED,"'=HYPERLINK(""x""), ""quoted""",OPEN,2026-12-02T01:00:00.000Z,2026-12-03T19:00:00.000Z,,,,`,
    );
    expect(reconciliationCsv(clean).split('\r\n')[1]).toBe(`# ${clean.summary}`);
  });
});
