import type { z } from 'zod';
import type { HeldSubmission } from '../../simulators/afm.js';
import type { FaultRule } from '../../simulators/http.js';
import type { PersonSetting } from '../../simulators/identification.js';

/** The simulators' test-only admin surface, typed for tests. */
export function simAdmin(baseUrl: string) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, baseUrl), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }
  return {
    fault: (rule: Partial<FaultRule> & Pick<FaultRule, 'kind'>) => call('POST', '/__admin/faults', rule),
    clearFaults: () => call('DELETE', '/__admin/faults'),
    stats: () => call<{ requests: Record<string, number>; applied: Record<string, number> }>('GET', '/__admin/stats'),
    async appliedCount(key: string): Promise<number> {
      return (await this.stats()).applied[key] ?? 0;
    },
    walletBalance: async (iin: string) =>
      (await call<{ balanceTiyn: number }>('GET', `/__admin/wallets/${iin}`)).balanceTiyn,
    setWallet: (wallet: { iin: string; balanceTiyn: number; identified?: boolean; blocked?: boolean }) =>
      call('POST', '/__admin/wallets', wallet),
    restrict: (iin: string, reason: 'SELF_EXCLUDED' | 'BARRED', until?: string) =>
      call('POST', '/__admin/restrictions', { iin, reason, until }),
    /** How the Nomapay simulator's identification treats a person: liveness verdicts, photo score, … */
    setPerson: (person: z.input<typeof PersonSetting>) => call('POST', '/__admin/identification/people', person),
    /** The SMS code the Nomapay simulator sent in a two-factor session. */
    smsCode: async (sessionId: string) =>
      (await call<{ code: string }>('GET', `/__admin/identification/sessions/${encodeURIComponent(sessionId)}/sms`))
        .code,
    esuOperations: () => call<{ request: { operationId: string } }[]>('GET', '/__admin/operations'),
    /** What the AFM simulator holds: each submission it received, with its message. */
    heldSubmissions: () => call<HeldSubmission[]>('GET', '/__admin/submissions'),
    /** AFM's refusal of a submission it holds, inside its window (the AFM simulator); answers the HTTP status. */
    rejectSubmission: async (messageId: string, verdict: { code: string; reason: string }) =>
      (
        await fetch(new URL(`/__admin/submissions/${messageId}/reject`, baseUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(verdict),
        })
      ).status,
  };
}
