import { afterAll, beforeAll } from 'vitest';
import { CounterpartClient, type ExchangeObserver } from '../../activities/http.js';
import type { Counterpart } from '../../domain/wire/common.js';
import type { DocumentSigner } from '../../crypto/signer.js';
import { startSimulators, type RunningSimulators } from '../../simulators/index.js';
import { bookmakerTrust, loadTestCertificates, signerOf } from './certificates.js';
import { simAdmin } from './sim-admin.js';

type Simulated = 'esu' | 'nomapay' | 'afm';

/** The API key each simulator is started with, and its client sends. */
export const SIMULATOR_KEYS: Record<Simulated, string> = { esu: 'k-esu', nomapay: 'k-np', afm: 'k-afm' };

export interface SimulatedCounterparts extends Record<Simulated, CounterpartClient> {
  sims: RunningSimulators;
  /** The bookmaker's test signer: the one whose certificate the simulators trust. */
  signer: DocumentSigner;
  /**
   * One more client, closed with the others after the file: `counterpart` as it calls the simulator `at` (its own
   * by default), with another API key if given (a wrong key, a ЦОИД client that talks to the Nomapay simulator).
   */
  client(counterpart: Counterpart, options?: { at?: Simulated; apiKey?: string }): CounterpartClient;
  /** The test-only admin surface of one simulator. */
  admin(name: Simulated): ReturnType<typeof simAdmin>;
}

/**
 * For one test file: the simulators of `names` on free ports, trusting the bookmaker's test certificate, and a
 * client of each, started before the file's tests and closed after them. The fields are there once `beforeAll`
 * has run. `timeoutMs` is every client's per-request timeout (2 s by default); `observe` sees each exchange of
 * the file's clients (not of those `client()` adds).
 */
export function simulatedCounterparts(
  names: Simulated[],
  options: { timeoutMs?: number; observe?: ExchangeObserver } = {},
): SimulatedCounterparts {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const opened: CounterpartClient[] = [];
  const open = (counterpart: Counterpart, at: Simulated, apiKey = SIMULATOR_KEYS[at], observe?: ExchangeObserver) => {
    const client = new CounterpartClient(
      { counterpart, baseUrl: counterparts.sims[at].url, apiKey, timeoutMs },
      observe,
    );
    opened.push(client);
    return client;
  };
  const counterparts = {
    client: (counterpart: Counterpart, { at, apiKey }: { at?: Simulated; apiKey?: string } = {}) =>
      open(counterpart, at ?? (counterpart as Simulated), apiKey),
    admin: (name: Simulated) => simAdmin(counterparts.sims[name].url),
  } as SimulatedCounterparts;

  beforeAll(async () => {
    counterparts.signer = signerOf((await loadTestCertificates()).bookmaker);
    counterparts.sims = await startSimulators({
      ...Object.fromEntries(names.map((name) => [name, { port: 0, apiKey: SIMULATOR_KEYS[name] }])),
      trust: bookmakerTrust(),
    });
    for (const name of names) counterparts[name] = open(name, name, SIMULATOR_KEYS[name], options.observe);
  });
  afterAll(async () => {
    await Promise.all(opened.map((client) => client.close()));
    await counterparts.sims?.close();
  });
  return counterparts;
}
