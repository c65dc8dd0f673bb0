import type { UpdateDefinition } from '@temporalio/common';
import { currentUpdateInfo, setHandler } from '@temporalio/workflow';
import { ErrorType } from '../../domain/errors.js';
import type { IdentificationStep, StepAnswer } from '../../domain/identification.js';
import { asRejection, isConsentRevoked, reject, type IdentificationCore } from '../identification-core.js';

/**
 * Registers one step the app drives as an update. `check` is its synchronous validator (the rule that would
 * refuse it, checked before it is accepted) and runs again under the lock, since another step may have moved
 * the state while this one queued; then `run` does the step.
 */
export function onStep<A extends unknown[]>(
  core: IdentificationCore,
  def: UpdateDefinition<StepAnswer, A>,
  check: (...args: A) => void,
  run: (...args: A) => Promise<StepAnswer>,
): void {
  const handler = (...args: A) =>
    core.serial(async () => {
      check(...args);
      core.touches += 1;
      try {
        return await run(...args);
      } catch (err) {
        if (isConsentRevoked(err) && !core.terminal) return core.consentRevokedAtSource();
        throw asRejection(err);
      }
    });
  setHandler(def, handler as never, { validator: check as never });
}

/** Refuses a step the identification is not at. */
export function expectStep(core: IdentificationCore, ...steps: IdentificationStep[]): void {
  const s = core.state;
  if (steps.includes(s.step)) return;
  if (s.step === 'LIVENESS_BLOCKED') reject(`liveness is blocked until ${s.blockedUntil} (§23.2); it lifts by itself`);
  reject(`not now: the identification is at ${s.step}; this step needs ${steps.join(' or ')}`);
}

/** Refuses a method started for another IIN than the one this identification is pinned to. */
export function samePerson(core: IdentificationCore, iin: string): void {
  if (core.subject && core.subject.iin !== iin)
    reject('this identification is for another IIN', ErrorType.InvalidInput);
}

/** The key of the update being handled: a retried delivery of the same update repeats the same request. */
export function updateKey(core: IdentificationCore): string {
  return currentUpdateInfo()?.id ?? String(core.touches);
}
