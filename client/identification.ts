import { WorkflowNotFoundError, type Client, type WorkflowHandle, type WorkflowStartOptions } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import { ErrorType } from '../domain/errors.js';
import { BusinessKey, parseWorkflowId, workflowId, WorkflowProcess } from '../domain/ids.js';
import type { IdentificationState, StepAnswer } from '../domain/identification.js';
import * as commands from '../domain/identification-commands.js';
import { OperationKindKey, OperationStatusKey } from '../domain/search-attributes.js';
import * as wf from '../workflows/identification.js';
import { consentRevocation } from '../workflows/consent-revocation.js';
import { bettorRef } from './bettor-ref.js';
import { StepRejectedError, updateRefusal } from './errors.js';
import { finalState, startOrJoin, validateRequest } from './operations.js';

export { StepRejectedError } from './errors.js';

export const identificationWorkflowId = (bettorId: string) => workflowId(WorkflowProcess.Identification, bettorId);

const StartIdentification = z.strictObject({
  bettorId: BusinessKey,
  onRepeatedBiometricFailure: z.enum(['OFFLINE_REVIEW', 'REFUSE']).optional(),
});

/**
 * The steps that take a command, as a table: the workflow's update and the command's schema. A command that names
 * the bettor by IIN (`byIin`) reaches the workflow with the bettor's keyed reference instead.
 */
interface CommandStep {
  update: UpdateDefinition<StepAnswer, any[]>;
  schema: z.ZodObject;
  byIin?: true;
}

const COMMAND_STEPS = {
  giveConsent: { update: wf.giveConsentUpdate, schema: commands.GiveConsent },
  startTwoFactor: { update: wf.startTwoFactorUpdate, schema: commands.StartTwoFactor, byIin: true },
  submitLiveness: { update: wf.submitLivenessUpdate, schema: commands.SubmitLiveness },
  submitSmsCode: { update: wf.submitSmsCodeUpdate, schema: commands.SubmitSmsCode },
  submitPhoto: { update: wf.submitPhotoUpdate, schema: commands.SubmitPhoto, byIin: true },
  recordDecision: { update: wf.recordDecisionUpdate, schema: commands.RecordDecision },
  decideReview: { update: wf.decideReviewUpdate, schema: commands.DecideReview },
} satisfies Record<string, CommandStep>;

export interface IdentificationHandle {
  workflowId: string;
  /** True when an identification for this bettor was already running and this call joined it. */
  joined: boolean;
  giveConsent(cmd: commands.GiveConsent): Promise<StepAnswer>;
  startTwoFactor(cmd: { iin: string; phone: string }): Promise<StepAnswer>;
  submitLiveness(cmd: commands.SubmitLiveness): Promise<StepAnswer>;
  sendSmsCode(): Promise<StepAnswer>;
  submitSmsCode(cmd: commands.SubmitSmsCode): Promise<StepAnswer>;
  submitPhoto(cmd: Omit<commands.SubmitPhoto, 'bettorRef'>): Promise<StepAnswer>;
  recordDecision(cmd: commands.RecordDecision): Promise<StepAnswer>;
  decideReview(cmd: commands.DecideReview): Promise<StepAnswer>;
  revokeConsent(cmd: commands.RevokeConsent): Promise<StepAnswer>;
  status(): Promise<IdentificationState>;
  /** Waits for the end; rejects with OperationFailedError when registration failed for a technical reason. */
  result(): Promise<IdentificationState>;
}

/**
 * The identification steps as the bookmaker's app calls them. Every command is validated here first (an
 * InvalidRequestError names the field and nothing is sent), then by the workflow's validator; a refusal
 * there is a StepRejectedError with the rule in its message.
 */
export function createIdentificationClient({
  client,
  taskQueue,
  bettorRefKey,
}: {
  client: Client;
  taskQueue: string;
  bettorRefKey: string;
}) {
  const validate = validateRequest;

  /** A command that names the bettor by IIN, validated, with the bettor's reference the workflow keeps instead. */
  function withBettorRef(operation: string, schema: z.ZodObject, cmd: object): unknown {
    const { iin } = validate(operation, schema.omit({ bettorRef: true }), cmd) as { iin: string };
    return validate(operation, schema, { ...cmd, bettorRef: bettorRef(iin, bettorRefKey) });
  }

  /** Runs the consent revocation for a bettor whose identification ended; answers as the running workflow would. */
  async function revokeAfterIdentification(handle: WorkflowHandle, cmd: commands.RevokeConsent): Promise<StepAnswer> {
    const bettorId = parseWorkflowId(handle.workflowId).businessKey;
    const revoked = await client.workflow.execute(consentRevocation, {
      taskQueue,
      workflowId: workflowId(WorkflowProcess.ConsentRevocation, bettorId),
      args: [{ ...cmd, bettorId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    if (revoked.outcome === 'NO_CONSENT') {
      throw new StepRejectedError(
        handle.workflowId,
        ErrorType.IdentificationStepRejected,
        'there is no consent on record for this bettor to revoke',
      );
    }
    const last = (await handle.query(wf.getIdentificationStatusQuery)) as IdentificationState;
    const message =
      revoked.outcome === 'ALREADY_REVOKED'
        ? `the consent was already revoked at ${revoked.revokedAt}`
        : `consent revoked after the identification ended: no further personal-data request is made, and deposits and bets wait for a new identification${revoked.relayed ? '; the consent registry confirmed it' : ''}`;
    return {
      result: 'CONSENT_REVOKED',
      message,
      state: last.consent ? { ...last, consent: { ...last.consent, revokedAt: revoked.revokedAt } } : last,
    };
  }

  function wrap(handle: WorkflowHandle, joined: boolean): IdentificationHandle {
    async function step(def: UpdateDefinition<StepAnswer, any[]>, ...args: unknown[]): Promise<StepAnswer> {
      try {
        return args.length
          ? await handle.executeUpdate(def as UpdateDefinition<StepAnswer, [unknown]>, { args: [args[0]] })
          : await handle.executeUpdate(def as UpdateDefinition<StepAnswer, []>);
      } catch (err) {
        const refusal = updateRefusal(handle.workflowId, err, ErrorType.IdentificationStepRejected);
        if (refusal) throw refusal;
        if (err instanceof WorkflowNotFoundError) {
          const message =
            'no identification is running for this bettor (it has ended, or never started): read its status or start a new one';
          throw new StepRejectedError(handle.workflowId, ErrorType.IdentificationStepRejected, message, { cause: err });
        }
        throw err;
      }
    }
    /** A step of COMMAND_STEPS: its command validated (with the bettor's reference for one by IIN), then sent. */
    const command =
      (name: keyof typeof COMMAND_STEPS) =>
      async (cmd: object): Promise<StepAnswer> => {
        const { update, schema, byIin }: CommandStep = COMMAND_STEPS[name];
        return step(update, byIin ? withBettorRef(name, schema, cmd) : validate(name, schema, cmd));
      };
    return {
      workflowId: handle.workflowId,
      joined,
      giveConsent: command('giveConsent'),
      startTwoFactor: command('startTwoFactor'),
      submitLiveness: command('submitLiveness'),
      sendSmsCode: () => step(wf.sendSmsCodeUpdate),
      submitSmsCode: command('submitSmsCode'),
      submitPhoto: command('submitPhoto'),
      recordDecision: command('recordDecision'),
      decideReview: command('decideReview'),
      revokeConsent: async (cmd) => {
        const valid = validate('revokeConsent', commands.RevokeConsent, cmd);
        try {
          return await step(wf.revokeConsentUpdate, valid);
        } catch (err) {
          // The identification has ended: a consent lasts until revoked (§§26–27, 31), so the revocation still counts.
          if (err instanceof StepRejectedError && err.cause instanceof WorkflowNotFoundError)
            return revokeAfterIdentification(handle, valid);
          throw err;
        }
      },
      status: () => handle.query(wf.getIdentificationStatusQuery),
      result: () => finalState<IdentificationState>(handle),
    };
  }

  return {
    /**
     * Starts the bettor's identification, or joins the one running for this bettor id. A finished one is
     * started afresh: the workflow answers IDENTIFIED at once for a bettor identified before.
     */
    async startIdentification(request: z.input<typeof StartIdentification>): Promise<IdentificationHandle> {
      const valid = validate('startIdentification', StartIdentification, request);
      const id = identificationWorkflowId(valid.bettorId);
      const options = {
        taskQueue,
        workflowId: id,
        args: [{ bettorId: valid.bettorId, mode: 'APP', onRepeatedBiometricFailure: valid.onRepeatedBiometricFailure }],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: [
          { key: OperationKindKey, value: 'IDENTIFICATION' },
          { key: OperationStatusKey, value: 'AWAITING_CONSENT' },
        ],
      } satisfies WorkflowStartOptions<typeof wf.identification>;
      return startOrJoin(
        client,
        wf.identification,
        options,
        (handle) => wrap(handle, false),
        () => wrap(client.workflow.getHandle(id), true),
      );
    },

    /** The running (or last) identification of a bettor, to drive its next step. */
    identification: (bettorId: string): IdentificationHandle =>
      wrap(
        client.workflow.getHandle(identificationWorkflowId(validate('identification', BusinessKey, bettorId))),
        true,
      ),
  };
}
