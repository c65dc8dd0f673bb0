import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../stack/ports.js';
import { exchangeMetrics, installTelemetry } from '../../workers/metrics.js';

/**
 * The worker's own counters as the SDK's Prometheus exporter writes them (this file's process installs the Runtime):
 * Prometheus names, counters with `_total`, the latency in seconds.
 */
let address: string;

beforeAll(async () => {
  address = `127.0.0.1:${await freePort()}`;
  installTelemetry({ metricsBindAddress: address, logFormat: 'text', logLevel: 'WARN' });
});

async function scrape(): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await (await fetch(`http://${address}/metrics`)).text();
    } catch (err) {
      if (attempt > 40) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('the counterpart exchange metrics', () => {
  it('count exchanges by counterpart and snake_case outcome and record their round trip in seconds', async () => {
    const observe = exchangeMetrics();
    const sentAt = new Date('2026-03-10T12:00:00.000Z');
    /** One exchange seen by the connectors, answered `roundTripMs` after it was sent. */
    const exchange = (
      counterpart: 'esu' | 'nomapay',
      path: string,
      status: number | 'NETWORK_ERROR',
      roundTripMs: number,
    ) =>
      observe({
        counterpart,
        method: 'POST',
        path,
        status,
        sentAt,
        receivedAt: new Date(sentAt.getTime() + roundTripMs),
      });
    exchange('esu', '/v1/operations', 200, 250);
    exchange('esu', '/v1/operations', 503, 750);
    exchange('nomapay', '/transfers', 'NETWORK_ERROR', 2000);

    let text = '';
    for (
      let i = 0;
      i < 50 && !text.includes('esu_bridge_counterpart_latency_seconds_count{counterpart="nomapay"}');
      i++
    ) {
      text = await scrape();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(text).toContain('# TYPE esu_bridge_counterpart_exchanges_total counter');
    expect(text).toContain('esu_bridge_counterpart_exchanges_total{counterpart="esu",outcome="ok"} 1');
    expect(text).toContain('esu_bridge_counterpart_exchanges_total{counterpart="esu",outcome="server_error"} 1');
    expect(text).toContain('esu_bridge_counterpart_exchanges_total{counterpart="nomapay",outcome="network_error"} 1');
    expect(text).toContain('# TYPE esu_bridge_counterpart_latency_seconds histogram');
    expect(text).toContain('esu_bridge_counterpart_latency_seconds_sum{counterpart="esu"} 1');
    expect(text).toContain('esu_bridge_counterpart_latency_seconds_count{counterpart="esu"} 2');
    expect(text).toContain('esu_bridge_counterpart_latency_seconds_bucket{counterpart="esu",le="0.5"} 1');
    expect(text).not.toMatch(/^esu_bridge_\S*_ms\b/m);
  });
});
