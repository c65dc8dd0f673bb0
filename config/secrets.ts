import { z } from 'zod';
import { parseEnv, type Env } from './env.js';

/** Development-only secret: production refuses it and the start-up summary marks it (config/production.ts). */
export const DEV_BETTOR_REF_KEY = 'dev-only-bettor-ref-key-change-me';

export interface SecretsConfig {
  /** Key of the HMAC that turns an IIN into the bettor reference ops filter by. Keep it secret and stable. */
  bettorRefKey: string;
}

export function secretsConfig(env: Env = process.env): SecretsConfig {
  return {
    bettorRefKey: parseEnv(
      z.object({ BETTOR_REF_KEY: z.string().min(16, 'must be at least 16 characters').default(DEV_BETTOR_REF_KEY) }),
      env,
    ).BETTOR_REF_KEY,
  };
}
