import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { z } from 'zod';
import { ErrorType } from '../domain/errors.js';
import { BusinessKey, workflowId, WorkflowProcess } from '../domain/ids.js';
import { futureDetectionProblem } from '../domain/incident.js';
import { IncidentTiming } from '../domain/incident-deadlines.js';
import {
  AmendIncident,
  CloseIncident,
  IncidentStatus,
  OpenIncident,
  SubmitIncident,
  type IncidentState,
} from '../domain/incident-state.js';
import { CounterpartKey, IncidentStatusKey, OperationKindKey } from '../domain/search-attributes.js';
import {
  amendIncidentUpdate,
  closeIncidentUpdate,
  getIncidentStatusQuery,
  incident,
  submitIncidentUpdate,
} from '../workflows/incident.js';
import { InvalidRequestError, StepRejectedError, updateRefusal } from './errors.js';
import { finalState, startOrJoin, validateRequest } from './operations.js';

export const incidentWorkflowId = (incidentId: string) => workflowId(WorkflowProcess.Incident, incidentId);

/** `INC-20260310-3f9a1c`: a fresh incident id when ops do not bring their own. */
export function newIncidentId(now = new Date()): string {
  return `INC-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`;
}

export interface IncidentHandle {
  workflowId: string;
  incidentId: string;
  /** True when an incident with this id already existed and this call joined it. */
  joined: boolean;
  amend(cmd: AmendIncident): Promise<IncidentState>;
  /** Validates every row, then sends the card; answers once both receivers acknowledged (or 20 s passed). */
  submit(cmd: SubmitIncident): Promise<IncidentState>;
  close(cmd: CloseIncident): Promise<IncidentState>;
  status(): Promise<IncidentState>;
  result(): Promise<IncidentState>;
}

export type OpenIncidentRequest = Omit<z.input<typeof OpenIncident>, 'incidentId' | 'timing'> & { incidentId?: string };

/**
 * Incidents as ops and detectors start and drive them. Commands are validated here first (InvalidRequestError
 * names the field, nothing is sent), then by the workflow's validators; a refusal there is a StepRejectedError
 * whose `type` is IncidentCardIncomplete, IncidentStepRejected or InvalidInput.
 */
export function createIncidentClient({
  client,
  taskQueue,
  timing,
}: {
  client: Client;
  taskQueue: string;
  timing?: IncidentTiming;
}) {
  const incidentTiming = timing ?? IncidentTiming.parse({});

  const validate = validateRequest;

  function wrap(handle: WorkflowHandle<typeof incident>, incidentId: string, joined: boolean): IncidentHandle {
    async function update<A>(
      def: typeof amendIncidentUpdate | typeof submitIncidentUpdate | typeof closeIncidentUpdate,
      arg: A,
    ): Promise<IncidentState> {
      try {
        return await handle.executeUpdate(def as never, { args: [arg] as never });
      } catch (err) {
        const refusal = updateRefusal(handle.workflowId, err, ErrorType.IncidentStepRejected);
        if (refusal) throw refusal;
        if (err instanceof WorkflowNotFoundError) {
          throw new StepRejectedError(
            handle.workflowId,
            ErrorType.IncidentStepRejected,
            `incident ${incidentId} is not open (closed, or never opened)`,
            { cause: err },
          );
        }
        throw err;
      }
    }
    return {
      workflowId: handle.workflowId,
      incidentId,
      joined,
      amend: (cmd) => update(amendIncidentUpdate, validate('amendIncident', AmendIncident, cmd)),
      submit: (cmd) => update(submitIncidentUpdate, validate('submitIncident', SubmitIncident, cmd)),
      close: (cmd) => update(closeIncidentUpdate, validate('closeIncident', CloseIncident, cmd)),
      status: () => handle.query(getIncidentStatusQuery),
      result: () => finalState<IncidentState>(handle),
    };
  }

  return {
    /**
     * Opens an incident, or joins the one already open with this id (one card per incident: an id is used
     * once, ever). The 48 hours count from `card.detectedAt`, whenever this is called.
     */
    async openIncident(request: OpenIncidentRequest): Promise<IncidentHandle> {
      const valid = validate('openIncident', OpenIncident, {
        ...request,
        incidentId: request.incidentId ?? newIncidentId(),
        timing: incidentTiming,
      });
      const future = futureDetectionProblem(valid.card.detectedAt, Date.now());
      if (future) throw new InvalidRequestError('openIncident', [{ field: 'card.detectedAt', message: future }]);
      const id = incidentWorkflowId(valid.incidentId);
      const attributes = [
        { key: OperationKindKey, value: 'INCIDENT' },
        { key: IncidentStatusKey, value: IncidentStatus.Open },
        ...(valid.origin.counterpart ? [{ key: CounterpartKey, value: valid.origin.counterpart }] : []),
      ];
      return startOrJoin(
        client,
        incident,
        {
          taskQueue,
          workflowId: id,
          args: [valid],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: attributes,
        },
        (handle) => wrap(handle, valid.incidentId, false),
        () => wrap(client.workflow.getHandle(id), valid.incidentId, true),
      );
    },

    /** The incident with this id, to amend, submit, close or read it. */
    incident: (incidentId: string): IncidentHandle =>
      wrap(
        client.workflow.getHandle(incidentWorkflowId(validate('incident', BusinessKey, incidentId))),
        incidentId,
        true,
      ),
  };
}
