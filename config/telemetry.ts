import { z } from 'zod';
import { parseEnv, type Env } from './env.js';

export interface TelemetryConfig {
  /** Prometheus scrape address of the worker; undefined when METRICS_BIND_ADDRESS=off. */
  metricsBindAddress?: string;
  logFormat: 'json' | 'text';
  logLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/** Prometheus scrape address of the worker (`off` disables) and the log format. */
export function telemetryConfig(env: Env = process.env): TelemetryConfig {
  const e = parseEnv(
    z.object({
      METRICS_BIND_ADDRESS: z
        .string()
        .regex(/^(off|[\w.-]+:\d+)$/, 'must be host:port or off')
        .default('127.0.0.1:9464'),
      LOG_FORMAT: z.enum(['json', 'text']).default('json'),
      LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    }),
    env,
  );
  return {
    metricsBindAddress: e.METRICS_BIND_ADDRESS === 'off' ? undefined : e.METRICS_BIND_ADDRESS,
    logFormat: e.LOG_FORMAT,
    logLevel: e.LOG_LEVEL,
  };
}
