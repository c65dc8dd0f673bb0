import { createEsuSimulator } from './esu.js';
import { createNomapaySimulator } from './nomapay.js';
import { startCounterpartServer, type CounterpartServer } from './http.js';

export interface SimulatorOptions {
  host?: string;
  esu?: { port?: number; apiKey: string };
  nomapay?: { port?: number; apiKey: string; defaultWalletBalanceTiyn?: number };
  /** Latency added to every answer, to look like a real network. */
  latencyMs?: { min: number; max: number };
}

export interface RunningSimulators {
  esu: CounterpartServer;
  nomapay: CounterpartServer;
  close(): Promise<void>;
}

/** Starts every simulated counterpart, each on its own port (0 = any free port). */
export async function startSimulators(options: SimulatorOptions = {}): Promise<RunningSimulators> {
  const host = options.host ?? '127.0.0.1';
  const esuSim = createEsuSimulator();
  const nomapaySim = createNomapaySimulator({ defaultWalletBalanceTiyn: options.nomapay?.defaultWalletBalanceTiyn });
  const esu = await startCounterpartServer(
    { name: 'esu', apiKey: options.esu?.apiKey ?? 'dev-esu-key', latencyMs: options.latencyMs, ...esuSim, onReset: esuSim.reset },
    { host, port: options.esu?.port ?? 0 },
  );
  const nomapay = await startCounterpartServer(
    { name: 'nomapay', apiKey: options.nomapay?.apiKey ?? 'dev-nomapay-key', latencyMs: options.latencyMs, ...nomapaySim, onReset: nomapaySim.reset },
    { host, port: options.nomapay?.port ?? 0 },
  );
  return {
    esu,
    nomapay,
    async close() {
      await Promise.all([esu.close(), nomapay.close()]);
    },
  };
}
