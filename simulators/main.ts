import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_PORTS } from '../config/index.js';
import { startSimulators } from './index.js';
import { shutdownOnSignals } from '../stack/shutdown.js';

const shutdown = shutdownOnSignals('esu-bridge simulators');

/** The simulators as a process of their own (`npm run start.simulators`, the compose `simulators` role). */
const Env = z.object({
  SIM_HOST: z.string().default('127.0.0.1'),
  ESU_SIM_PORT: z.coerce.number().int().default(DEFAULT_PORTS.esu),
  NOMAPAY_SIM_PORT: z.coerce.number().int().default(DEFAULT_PORTS.nomapay),
  AFM_SIM_PORT: z.coerce.number().int().default(DEFAULT_PORTS.afm),
  ESU_API_KEY: z.string().min(1).default('dev-esu-key'),
  NOMAPAY_API_KEY: z.string().min(1).default('dev-nomapay-key'),
  AFM_API_KEY: z.string().min(1).default('dev-afm-key'),
  /** Where the AFM simulator pushes its verdicts (the API's POST /v1/afm/verdicts); unset = fetch only. */
  AFM_CALLBACK_URL: z.url().optional(),
  SIM_LATENCY_MS: z
    .string()
    .regex(/^\d+(-\d+)?$/, 'must be N or MIN-MAX milliseconds')
    .default('0'),
  /** HTTPS: the simulators' server certificate and key (PEM); with SIM_TLS_CLIENT_CA_PATH, mutual TLS against that CA. */
  SIM_TLS_CERT_PATH: z.string().min(1).optional(),
  SIM_TLS_KEY_PATH: z.string().min(1).optional(),
  SIM_TLS_CLIENT_CA_PATH: z.string().min(1).optional(),
});

/** A PEM file named by an environment variable, or an error naming the variable. */
function pemFile(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ReferenceError(
      `${variable} environment variable is invalid: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

function simulatorTls(env: z.infer<typeof Env>) {
  const { SIM_TLS_CERT_PATH: cert, SIM_TLS_KEY_PATH: key, SIM_TLS_CLIENT_CA_PATH: clientCa } = env;
  if (!cert && !key && !clientCa) return undefined;
  if (!cert)
    throw new ReferenceError(
      'SIM_TLS_CERT_PATH environment variable is not defined (HTTPS needs the server certificate)',
    );
  if (!key)
    throw new ReferenceError('SIM_TLS_KEY_PATH environment variable is not defined (HTTPS needs the server key)');
  return {
    cert: pemFile('SIM_TLS_CERT_PATH', cert),
    key: pemFile('SIM_TLS_KEY_PATH', key),
    ...(clientCa ? { clientCa: pemFile('SIM_TLS_CLIENT_CA_PATH', clientCa) } : {}),
  };
}

async function main(): Promise<void> {
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ReferenceError(`${issue.path.join('.')} environment variable is invalid: ${issue.message}`);
  }
  const env = parsed.data;
  const [min, max = min] = env.SIM_LATENCY_MS.split('-').map(Number) as [number, number?];
  const sims = await startSimulators({
    host: env.SIM_HOST,
    esu: { port: env.ESU_SIM_PORT, apiKey: env.ESU_API_KEY },
    nomapay: { port: env.NOMAPAY_SIM_PORT, apiKey: env.NOMAPAY_API_KEY },
    afm: {
      port: env.AFM_SIM_PORT,
      apiKey: env.AFM_API_KEY,
      ...(env.AFM_CALLBACK_URL ? { callbackUrl: env.AFM_CALLBACK_URL } : {}),
    },
    latencyMs: { min, max },
    tls: simulatorTls(env),
  });
  console.log(
    JSON.stringify({
      msg: 'simulators listening',
      esu: sims.esu.url,
      nomapay: sims.nomapay.url,
      afm: sims.afm.url,
      latencyMs: { min, max },
    }),
  );
  shutdown.defer('HTTP servers', () => sims.close());
}

main().catch((err) => {
  if (shutdown.stopping) return; // a signal during start-up: the drain exits
  console.error(err);
  void shutdown.exit(1);
});
