import { createEsuSimulator } from './esu.js';
import { createNomapaySimulator } from './nomapay.js';
import { startCounterpartServer, type CounterpartServer, type SimulatorTls } from './http.js';
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
  const esu = await startCounterpartServer(
    {
      name: 'esu',
      apiKey: options.esu?.apiKey ?? 'dev-esu-key',
      latencyMs: options.latencyMs,
      ...esuSim,
      onReset: esuSim.reset,
    },
    { host, port: options.esu?.port ?? 0, tls: options.tlsFor?.esu ?? options.tls },
  );
  const nomapay = await startCounterpartServer(
    {
      name: 'nomapay',
      apiKey: options.nomapay?.apiKey ?? 'dev-nomapay-key',
      latencyMs: options.latencyMs,
      ...nomapaySim,
      onReset: nomapaySim.reset,
    },
    { host, port: options.nomapay?.port ?? 0, tls: options.tlsFor?.nomapay ?? options.tls },
  );
  const { port: afmPort, apiKey: afmKey, ...afmOptions } = options.afm ?? { apiKey: 'dev-afm-key' };
  const afmSim = createAfmSimulator({ trust, ...afmOptions });
  const afm = await startCounterpartServer(
    { name: 'afm', apiKey: afmKey, latencyMs: options.latencyMs, ...afmSim, onReset: afmSim.reset },
    { host, port: afmPort ?? 0, tls: options.tlsFor?.afm ?? options.tls },
  );
  return {
    esu,
    nomapay,
    afm,
    async close() {
      await Promise.all([esu.close(), nomapay.close(), afm.close()]);
    },
  };
}
