import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readReconciliationDay } from '../../client/reconciliation.js';
import { DifferenceKind, DifferenceSource } from '../../domain/reconciliation.js';
import { ListingDate } from '../../domain/wire/listings.js';
import { problemResponses } from '../problem.js';
import type { ApiDeps } from '../resources.js';
import { getRoute, postRoute, START_PROBLEMS } from '../route.js';
import { json } from '../schemas.js';

/** A reconciled day as the API shows it: the latest run's counts and every difference (never an IIN: none is stored). */
const Difference = z
  .object({
    differenceId: z.string(),
    counterpart: DifferenceSource,
    kind: DifferenceKind,
    recordId: z.string(),
    operationId: z.string().optional(),
    operationKind: z.string().optional(),
    ours: z.object({ amountTiyn: z.number().int(), status: z.string(), at: z.string() }).optional(),
    theirs: z
      .object({
        amountTiyn: z.number().int().optional(),
        status: z.string(),
        at: z.string(),
        copies: z.number().int().optional(),
      })
      .optional(),
    message: z.string(),
    status: z.enum(['OPEN', 'RESOLVED']),
    foundAt: z.string(),
    dueAt: z.string().describe('The end of the next Kazakhstan working day after it was found'),
    assignee: z.string().optional(),
    resolvedAt: z.string().optional(),
    resolvedBy: z.string().optional(),
    resolution: z.string().optional(),
  })
  .meta({ id: 'ReconciliationDifference' });

const Counts = z.object({
  listed: z.number().int(),
  ours: z.number().int(),
  matched: z.number().int(),
  withinGrace: z.number().int(),
  differences: z.number().int(),
  error: z.string().optional(),
});

const ReconciliationDay = z
  .object({
    day: z.string(),
    run: z
      .object({
        runId: z.string(),
        workflowId: z.string(),
        trigger: z.enum(['SCHEDULE', 'ON_DEMAND']),
        status: z.enum(['RUNNING', 'CLEAN', 'DIFFERENCES', 'INCOMPLETE']),
        graceMinutes: z.number().int(),
        counts: z.record(z.string(), Counts),
        differences: z.number().int(),
        startedAt: z.string(),
        finishedAt: z.string().optional(),
      })
      .optional(),
    runs: z.number().int(),
    open: z.number().int(),
    differences: z.array(Difference),
    summary: z.string().describe('"<day>: no difference — …" on a clean day'),
  })
  .meta({ id: 'ReconciliationDay' });

const StartedRun = z
  .object({ day: z.string(), workflowId: z.string(), runId: z.string(), joined: z.boolean() })
  .meta({ id: 'ReconciliationStarted' });
const DayPath = z.object({ day: ListingDate.meta({ examples: ['2026-12-01'] }) });
const StartBody = z.strictObject({
  graceMinutes: z
    .number()
    .int()
    .min(0)
    .max(10_080)
    .optional()
    .describe('Operations younger than this are not yet missing at a counterpart (default 60)'),
});

export const reconciliationRoutes =
  ({ client, pool, once }: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const day = { path: '/v1/reconciliations/:day', resource: 'reconciliations', params: DayPath } as const;
    const recordId = (params: { day: string }) => `reconciliation:${params.day}`;
    postRoute<{ day: string }, z.infer<typeof StartBody> | undefined>(
      app,
      {
        ...day,
        operationId: 'startReconciliation',
        summary: 'Reconcile one Almaty day now against ESU, Nomapay and AFM',
        description:
          'Starts the day’s reconciliation (or joins the run in progress) and answers at once; GET the day for its result. Idempotency-Key: a key unique to this request.',
        body: StartBody.optional(),
        responses: { 202: json('Started, or joined the run in progress', StartedRun), ...START_PROBLEMS },
      },
      async (request, reply) => {
        const { day } = request.params;
        request.recordId = recordId(request.params);
        return once(request, reply, async () => {
          const started = await client.startReconciliation(day, { graceMinutes: request.body?.graceMinutes });
          return {
            code: 202,
            body: { day, workflowId: started.workflowId, runId: started.runId, joined: started.joined },
          };
        });
      },
    );

    getRoute<{ day: string }>(
      app,
      {
        ...day,
        recordId,
        operationId: 'getReconciliation',
        summary: 'A day’s reconciliation: its latest run and every difference, open or resolved',
        responses: {
          200: json('The day’s result ("not reconciled yet" when no run has been made)', ReconciliationDay),
          ...problemResponses(400, 401, 403, 429, 500, 503),
        },
      },
      (params) => readReconciliationDay(pool, params.day) as Promise<z.infer<typeof ReconciliationDay>>,
    );
  };
