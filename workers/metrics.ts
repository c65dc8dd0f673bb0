import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { LogLevel, MetricCounter, MetricHistogram } from '@temporalio/common';
import type { ExchangeObserver } from '../activities/http.js';
import { classifyExchange, type ExchangeOutcome } from '../domain/availability.js';
import { parseWorkflowId } from '../domain/ids.js';

/**
 * The worker's telemetry: structured JSON logs (one object per line, with the workflow id and the operation
 * it names) and Prometheus metrics — the SDK's own (task latencies, slots, failures) plus ours
 * (exchanges with counterparts, incident alerts) — at METRICS_BIND_ADDRESS/metrics.
 */
export interface TelemetryOptions {
  metricsBindAddress?: string;
  logFormat: 'json' | 'text';
  logLevel: LogLevel;
}

/** One JSON line per log entry. The SDK puts workflowId, runId, activityType… in `meta`; we add the operation. */
export function jsonLine(entry: LogEntry): string {
  const meta = { ...(entry.meta ?? {}) } as Record<string, unknown>;
  const line: Record<string, unknown> = {
    ts: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level,
    msg: entry.message,
  };
  if (typeof meta.workflowId === 'string') {
    try {
      const { process, businessKey } = parseWorkflowId(meta.workflowId);
      line.process = process;
      line.operationId = businessKey;
    } catch {
      // a workflow id of another shape (tests, replay): logged as is
    }
  }
  for (const [key, value] of Object.entries(meta))
    if (value !== undefined) line[key] = value instanceof Error ? value.message : value;
  return JSON.stringify(line, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

export function createLogger({ logFormat, logLevel }: Pick<TelemetryOptions, 'logFormat' | 'logLevel'>): DefaultLogger {
  return logFormat === 'json'
    ? new DefaultLogger(logLevel, (entry) => process.stdout.write(jsonLine(entry) + '\n'))
    : new DefaultLogger(logLevel);
}

/**
 * Installs the Temporal Runtime once per process: before any connection or worker is created. It leaves
 * SIGTERM and SIGINT to the process's own drain (stack/shutdown.ts), which shuts the worker down in order.
 */
export function installTelemetry(options: TelemetryOptions): void {
  Runtime.install({
    logger: createLogger(options),
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      // Prometheus conventions: counters end in `_total`, durations are seconds named `_seconds` (the SDK's own
      // `temporal_*_latency_seconds` too), so a metric's unit is in its name and never in milliseconds.
      ...(options.metricsBindAddress
        ? {
            metrics: {
              prometheus: {
                bindAddress: options.metricsBindAddress,
                countersTotalSuffix: true,
                unitSuffix: true,
                useSecondsForDurations: true,
              },
            },
          }
        : {}),
    },
  });
}

/** The `outcome` label of an exchange, in Prometheus's snake_case. */
export const EXCHANGE_OUTCOME_LABEL: Record<ExchangeOutcome, string> = {
  ok: 'ok',
  clientErrors: 'client_error',
  authFailures: 'auth_failure',
  serverErrors: 'server_error',
  networkErrors: 'network_error',
};

/**
 * Counts exchanges per counterpart and outcome (`esu_bridge_counterpart_exchanges_total`), and their round trip in
 * seconds (`esu_bridge_counterpart_latency_seconds`): the Prometheus side of the availability index. The meter is
 * taken from the Runtime on first use, once the worker's connection created it.
 */
export function exchangeMetrics(): ExchangeObserver {
  let meters: { exchanges: MetricCounter; latency: MetricHistogram } | undefined;
  return (exchange) => {
    meters ??= {
      // The exporter appends the unit to the name (`unitSuffix`): none for a count, `seconds` for a duration.
      exchanges: Runtime.instance().metricMeter.createCounter(
        'esu_bridge_counterpart_exchanges',
        '',
        'Exchanges with counterparts by outcome',
      ),
      latency: Runtime.instance().metricMeter.createHistogram(
        'esu_bridge_counterpart_latency',
        'float',
        'seconds',
        'Round trip of exchanges with counterparts',
      ),
    };
    const tags = {
      counterpart: exchange.counterpart,
      outcome: EXCHANGE_OUTCOME_LABEL[classifyExchange(exchange.status)],
    };
    meters.exchanges.add(1, tags);
    meters.latency.record(Math.max(0, exchange.receivedAt.getTime() - exchange.sentAt.getTime()) / 1000, {
      counterpart: exchange.counterpart,
    });
  };
}
