import { createEsuSimulator } from './esu.js';
import { createNomapaySimulator } from './nomapay.js';
import { startCounterpartServer, type CounterpartServer, type Route, type SimulatorTls } from './http.js';
import { attachIdentificationSimulators } from './identification.js';
import { attachIncidentIntake } from './incidents.js';
import { createAfmSimulator, type AfmSimulatorOptions } from './afm.js';
import type { SignerTrust } from '../crypto/signer.js';

export interface SimulatorOptions {
  host?: string;
  esu?: { port?: number; apiKey: string };
  nomapay?: { port?: number; apiKey: string; defaultWalletBalanceTiyn?: number };
  /** AFM's submission API (AFM order No. 9), a third server with its own port and API key. */
  afm?: { port?: number; apiKey: string } & AfmSimulatorOptions;
  /**
   * The bookmaker's registered certificate and its CA, checked by every receiver of a signed document (AFM,
   * the incident intakes, ЦОИД's consent check). Defaults to SIM_SIGNER_CERTIFICATE_PATH / SIM_SIGNER_CA_PATH.
   */
  trust?: SignerTrust;
  /** Latency added to every answer, to look like a real network. */
  latencyMs?: { min: number; max: number };
  /** HTTPS for all three, with mutual TLS when `clientCa` is set; plain HTTP when absent (the default). */
  tls?: SimulatorTls;
  /** A counterpart's own TLS settings, instead of `tls` (a test's "server that only offers TLS 1.1"). */
  tlsFor?: Partial<Record<'esu' | 'nomapay' | 'afm', SimulatorTls>>;
}

export interface RunningSimulators {
  esu: CounterpartServer;
  nomapay: CounterpartServer;
  afm: CounterpartServer;
  close(): Promise<void>;
}

/** Starts every simulated counterpart, each on its own port (0 = any free port). */
export async function startSimulators(options: SimulatorOptions = {}): Promise<RunningSimulators> {
  const host = options.host ?? '127.0.0.1';
  const esuSim = createEsuSimulator();
  const nomapaySim = createNomapaySimulator({ defaultWalletBalanceTiyn: options.nomapay?.defaultWalletBalanceTiyn });
  const trust = options.trust;
  attachIdentificationSimulators(esuSim, nomapaySim, { trust });
  attachIncidentIntake(esuSim, nomapaySim, { trust });
  /** One counterpart's server: its simulator's routes behind its API key, on its port, with its TLS. */
  const serve = (
    name: 'esu' | 'nomapay' | 'afm',
    sim: { routes: Route[]; adminRoutes: Route[]; reset(): void },
    own: { port?: number; apiKey?: string } = {},
  ) =>
    startCounterpartServer(
      { name, apiKey: own.apiKey ?? `dev-${name}-key`, latencyMs: options.latencyMs, ...sim, onReset: sim.reset },
      { host, port: own.port ?? 0, tls: options.tlsFor?.[name] ?? options.tls },
    );
  const esu = await serve('esu', esuSim, options.esu);
  const nomapay = await serve('nomapay', nomapaySim, options.nomapay);
  const { port: afmPort, apiKey: afmKey, ...afmOptions }: Partial<SimulatorOptions['afm'] & {}> = options.afm ?? {};
  const afmSim = createAfmSimulator({ trust, ...afmOptions });
  const afm = await serve('afm', afmSim, { port: afmPort, apiKey: afmKey });
  return {
    esu,
    nomapay,
    afm,
    async close() {
      await Promise.all([esu.close(), nomapay.close(), afm.close()]);
    },
  };
}
