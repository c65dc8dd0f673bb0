import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordWrittenNotice } from '../../client/written-notices.js';
import { SubmissionKey } from '../../domain/ids.js';
import { NOTICE_SCAN_MAX_BYTES, NoticeScanMediaType, WrittenNoticeRequest } from '../../domain/submission-notice.js';
import { SubmissionStatus, type SubmissionState } from '../../domain/submission.js';
import type { ApiDeps } from '../resources.js';
import { postRoute, STEP_PROBLEMS } from '../route.js';
import { idParam, json, postHeaders, values } from '../schemas.js';

type RecordWrittenNoticeBody = z.infer<typeof WrittenNoticeRequest>;

/** A submission as the API shows it: its status, rejection and notices; never the record (it carries the IIN). */
const Submission = z
  .object({
    submissionId: z.string(),
    counterpart: z.enum(['AFM', 'ESU']),
    operationId: z.string(),
    attempt: z.number().int(),
    status: z.enum(values(SubmissionStatus)),
    acceptedAt: z.string().optional(),
    rejection: z
      .object({
        code: z.string(),
        reason: z.string(),
        rejectedAt: z.string(),
        source: z.enum(['INITIAL', 'SYNCHRONOUS', 'VERDICT', 'NOTICE']),
      })
      .optional(),
    officerDueAt: z
      .string()
      .optional()
      .describe('When the corrected record is due: 1 working day from the rejection (AFM order No. 9, item 5(3))'),
    correctedBy: z.object({ submissionId: z.string(), actor: z.string(), at: z.string() }).optional(),
    writtenNotices: z
      .array(
        z.object({
          afmReference: z.string(),
          noticeDate: z.string(),
          reason: z.string(),
          scan: z.object({ sha256: z.string(), mediaType: NoticeScanMediaType, bytes: z.number().int() }),
          recordedBy: z.string(),
          recordedAt: z.string(),
        }),
      )
      .optional(),
  })
  .meta({ id: 'Submission' });

const view = (s: SubmissionState): z.infer<typeof Submission> => ({
  submissionId: s.submissionId,
  counterpart: s.counterpart,
  operationId: s.operationId,
  attempt: s.attempt,
  status: s.status,
  ...(s.acceptedAt ? { acceptedAt: s.acceptedAt } : {}),
  ...(s.rejection ? { rejection: s.rejection } : {}),
  ...(s.officerDueAt ? { officerDueAt: s.officerDueAt } : {}),
  ...(s.correctedBy
    ? { correctedBy: { submissionId: s.correctedBy.submissionId, actor: s.correctedBy.actor, at: s.correctedBy.at } }
    : {}),
  ...(s.writtenNotices ? { writtenNotices: s.writtenNotices } : {}),
});

/** A one-line PDF, for the document's example: a real scan is up to 2 MiB. */
const EXAMPLE_SCAN = 'JVBERi0xLjQKJSVFT0YK';
// The scan is base64 in the JSON body (4/3 of its size), plus the other fields.
const NOTICE_BODY_LIMIT = Math.ceil((NOTICE_SCAN_MAX_BYTES * 4) / 3) + 64 * 1024;

export const submissionRoutes =
  ({ client, pool, once }: ApiDeps): FastifyPluginAsyncZod =>
  async (app) =>
    postRoute<{ submissionId: string }, RecordWrittenNoticeBody>(
      app,
      {
        path: '/v1/submissions/:submissionId/notices',
        resource: 'submissions',
        bodyLimit: NOTICE_BODY_LIMIT,
        operationId: 'recordWrittenNotice',
        summary: 'Record AFM’s written notice that it could not accept a submission (AFM order No. 9, item 5(3))',
        description:
          'The submission becomes REJECTED — even one already ACCEPTED — with the correction due 1 working day after the notice’s date; the correction is then sent as usual. ' +
          `The scan (PDF, JPEG or PNG, at most ${NOTICE_SCAN_MAX_BYTES} bytes) is base64 in scan.contentBase64 and stays in the bookmaker’s database. ` +
          'Recording the same afmReference again answers the first recording. recordedBy is the calling API key. A CORRECTED or ESU submission is 409.',
        headers: postHeaders('notice-04-2-1187'),
        params: idParam('submissionId', SubmissionKey.meta({ examples: ['afm-dep-example-1'] })),
        body: WrittenNoticeRequest.meta({
          examples: [
            {
              afmReference: '04-2/1187',
              noticeDate: '2026-12-03',
              reason: 'The IIN in the record is not in the state register.',
              scan: { mediaType: 'application/pdf', contentBase64: EXAMPLE_SCAN },
            },
          ],
        }),
        responses: { 200: json('The submission after the notice', Submission), ...STEP_PROBLEMS },
      },
      async (request, reply) => {
        const { submissionId } = request.params;
        request.recordId = submissionId;
        return once(request, reply, async () => ({
          code: 200,
          body: view(
            await recordWrittenNotice({ pool, submissions: client }, submissionId, request.body, request.caller!.name),
          ),
        }));
      },
    );
