import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Pool } from '../db/pool.js';
import { workflowId, WorkflowProcess } from '../domain/ids.js';
import { DIFFERENCE_KIND_LABELS, type DifferenceKind, type ReconciliationResult } from '../domain/reconciliation.js';
import { ListingDate } from '../domain/wire/listings.js';
import { assignments } from '../store/inboxes.js';
import { reconciliationOfDay } from '../store/reconciliation.js';
import { InvalidRequestError } from './errors.js';

/**
 * The daily reconciliation from the outside (issue 13): start a day's run, wait for it, read a day's result
 * (the latest run and every difference of the day) and render it as JSON or CSV. The CLI command
 * (`reconcile run|show`), the console and the bookmaker API all go through these.
 */
export const reconciliationWorkflowId = (day: string) => workflowId(WorkflowProcess.Reconciliation, day);

function validDay(day: unknown): string {
  const parsed = ListingDate.safeParse(day);
  if (!parsed.success)
    throw new InvalidRequestError('reconciliation', [{ field: 'day', message: parsed.error.issues[0]!.message }]);
  return parsed.data;
}

export interface StartedReconciliation {
  workflowId: string;
  runId: string;
  /** A run of this day was already going: this is that run. */
  joined: boolean;
  result(): Promise<ReconciliationResult>;
}

/** Starts a run for `day` now, or joins the one in progress; a finished day runs again (the results stay). */
export async function startReconciliation(
  client: Client,
  taskQueue: string,
  day: string,
  options: { graceMinutes?: number } = {},
): Promise<StartedReconciliation> {
  const valid = validDay(day);
  const id = reconciliationWorkflowId(valid);
  const args = [
    {
      day: valid,
      trigger: 'ON_DEMAND' as const,
      ...(options.graceMinutes === undefined ? {} : { graceMinutes: options.graceMinutes }),
    },
  ];
  try {
    const handle = await client.workflow.start('reconciliation', {
      taskQueue,
      workflowId: id,
      args,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    return {
      workflowId: id,
      runId: handle.firstExecutionRunId,
      joined: false,
      result: () => handle.result() as Promise<ReconciliationResult>,
    };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const handle = client.workflow.getHandle(id);
    const { runId } = await handle.describe();
    return { workflowId: id, runId, joined: true, result: () => handle.result() as Promise<ReconciliationResult> };
  }
}

export interface DifferenceView {
  differenceId: string;
  counterpart: string;
  kind: DifferenceKind;
  recordId: string;
  operationId?: string;
  operationKind?: string;
  ours?: unknown;
  theirs?: unknown;
  message: string;
  status: 'OPEN' | 'RESOLVED';
  foundAt: string;
  dueAt: string;
  assignee?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  resolution?: string;
}

export interface ReconciliationDay {
  day: string;
  /** The latest run of the day, if any. */
  run?: {
    runId: string;
    workflowId: string;
    trigger: string;
    status: string;
    graceMinutes: number;
    counts: unknown;
    differences: number;
    startedAt: string;
    finishedAt?: string;
  };
  runs: number;
  open: number;
  differences: DifferenceView[];
  summary: string;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

export function differenceView(r: Record<string, any>, assignee?: string): DifferenceView {
  return {
    differenceId: r.difference_id,
    counterpart: r.counterpart,
    kind: r.kind,
    recordId: r.record_id,
    ...(r.operation_id ? { operationId: r.operation_id, operationKind: r.operation_kind } : {}),
    ...(r.ours ? { ours: r.ours } : {}),
    ...(r.theirs ? { theirs: r.theirs } : {}),
    message: r.message,
    status: r.status,
    foundAt: iso(r.found_at)!,
    dueAt: iso(r.due_at)!,
    ...(assignee ? { assignee } : {}),
    ...(r.resolved_at ? { resolvedAt: iso(r.resolved_at), resolvedBy: r.resolved_by, resolution: r.resolution } : {}),
  };
}

/** A day's result as PostgreSQL holds it. */
export async function readReconciliationDay(pool: Pool, day: string): Promise<ReconciliationDay> {
  const valid = validDay(day);
  const { runs, differences: diffs } = await reconciliationOfDay(pool, valid);
  const assignees = await assignments(
    pool,
    'reconciliation',
    diffs.map((r) => r.difference_id),
  );
  const r = runs[0];
  const differences = diffs.map((d) => differenceView(d, assignees.get(d.difference_id)));
  const open = differences.filter((d) => d.status === 'OPEN').length;
  const summary = !r
    ? `${valid}: not reconciled yet`
    : r.status === 'RUNNING'
      ? `${valid}: a run is in progress`
      : r.status === 'CLEAN' && !open
        ? `${valid}: no difference — our records, the ledger, ESU, Nomapay and AFM agree`
        : `${valid}: ${r.status === 'INCOMPLETE' ? 'incomplete; ' : ''}${differences.length} difference(s), ${open} open`;
  return {
    day: valid,
    ...(r
      ? {
          run: {
            runId: r.run_id,
            workflowId: r.workflow_id,
            trigger: r.trigger,
            status: r.status,
            graceMinutes: r.grace_minutes,
            counts: r.counts,
            differences: r.differences,
            startedAt: iso(r.started_at)!,
            ...(r.finished_at ? { finishedAt: iso(r.finished_at) } : {}),
          },
        }
      : {}),
    runs: runs.length,
    open,
    differences,
    summary,
  };
}

const CSV_COLUMNS = [
  'difference_id',
  'day',
  'counterpart',
  'kind',
  'record_id',
  'operation_id',
  'operation_kind',
  'our_amount_tiyn',
  'their_amount_tiyn',
  'our_status',
  'their_status',
  'message',
  'status',
  'found_at',
  'due_at',
  'assignee',
  'resolved_at',
  'resolved_by',
  'resolution',
] as const;

/** RFC 4180 field; a leading = + - @ is prefixed so a spreadsheet does not run it as a formula. */
function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The day's report as CSV, one line per difference (a clean day: the header and its summary line). */
export function reconciliationCsv(report: ReconciliationDay): string {
  const side = (v: unknown) => (v ?? {}) as { amountTiyn?: number; status?: string };
  const lines = report.differences.map((d) =>
    [
      d.differenceId,
      report.day,
      d.counterpart,
      d.kind,
      d.recordId,
      d.operationId,
      d.operationKind,
      side(d.ours).amountTiyn,
      side(d.theirs).amountTiyn,
      side(d.ours).status,
      side(d.theirs).status,
      d.message,
      d.status,
      d.foundAt,
      d.dueAt,
      d.assignee,
      d.resolvedAt,
      d.resolvedBy,
      d.resolution,
    ]
      .map(csvField)
      .join(','),
  );
  return (
    [CSV_COLUMNS.join(','), ...lines, ...(report.differences.length ? [] : [`# ${report.summary}`])].join('\r\n') +
    '\r\n'
  );
}

/** The day's report for people, as the CLI prints it. */
export function reconciliationText(report: ReconciliationDay): string {
  const rows = report.differences.map(
    (d) =>
      `  ${d.status.padEnd(8)} ${d.counterpart.padEnd(7)} ${DIFFERENCE_KIND_LABELS[d.kind].padEnd(28)} ${d.recordId}  ${d.message}${d.resolution ? ` — resolved: ${d.resolution}` : ''}`,
  );
  return [report.summary, ...rows].join('\n');
}

export interface ReconciliationCommandDeps {
  /** Starts (or joins) a day's run and waits for its result. */
  run(day: string): Promise<unknown>;
  /** Reads a day's result. */
  show(day: string): Promise<ReconciliationDay>;
}

export interface ReconciliationCommandResult {
  data: unknown;
  text: string;
  exitCode: number;
}

/**
 * `reconcile run --day D` / `reconcile show --day D [--csv]`. Exit code 0: the day is clean; 8: differences are
 * open (scripts can alert on it); 2: a bad day.
 */
export async function reconciliationCommand(
  deps: ReconciliationCommandDeps,
  sub: string | undefined,
  flags: Record<string, string | boolean | undefined>,
): Promise<ReconciliationCommandResult> {
  const day = typeof flags.day === 'string' ? flags.day : undefined;
  if (!day || (sub !== 'run' && sub !== 'show'))
    return {
      data: { error: 'usage: reconcile run|show --day YYYY-MM-DD' },
      text: 'usage: reconcile run|show --day YYYY-MM-DD [--csv]',
      exitCode: 2,
    };
  if (sub === 'run') await deps.run(day);
  const report = await deps.show(day);
  const exitCode = report.open ? 8 : 0;
  return { data: report, text: flags.csv ? reconciliationCsv(report).trimEnd() : reconciliationText(report), exitCode };
}

/** The command as one function (for the project CLI): prints and returns the exit code. */
export async function runReconciliationCommand(options: {
  deps: ReconciliationCommandDeps;
  positionals: string[];
  flags: Record<string, string | boolean | undefined>;
  print?: (line: string) => void;
}): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const [, sub] = options.positionals;
  try {
    const out = await reconciliationCommand(options.deps, sub, options.flags);
    print(options.flags.json ? JSON.stringify(out.data, null, 2) : out.text);
    return out.exitCode;
  } catch (err) {
    if (err instanceof InvalidRequestError) {
      print(err.message);
      return 2;
    }
    throw err;
  }
}
