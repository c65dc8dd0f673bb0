import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_SETTINGS, type EntryPoint } from '../../config/production.js';
import { readComposeFile } from '../support/compose-file.js';

/** docker-compose.yml held to the code: what is published, which networks, and the variables production needs. */
const ROOT = new URL('../../', import.meta.url);
const compose = readComposeFile(new URL('docker-compose.yml', ROOT));
const internalNetworks = Object.entries(compose.networks ?? {}).flatMap(([name, n]) => (n.internal === 'true' ? [name] : []));
/** Which esu-bridge entry point a service runs. */
const ENTRY_POINTS: Record<string, EntryPoint> = { worker: 'worker', console: 'console', api: 'api' };

describe('docker-compose.yml', () => {
  it('publishes no port of Temporal, its UI or PostgreSQL, and keeps them on internal networks only', () => {
    expect(internalNetworks.length).toBeGreaterThan(0);
    for (const name of ['postgresql', 'temporal-schema', 'temporal', 'temporal-namespace', 'temporal-ui']) {
      const service = compose.services[name]!;
      expect(service, name).toBeDefined();
      expect(service.ports, `${name} publishes ports`).toBeUndefined();
      expect(service.networks?.length, `${name} networks`).toBeGreaterThan(0);
      for (const network of service.networks!) expect(internalNetworks, `${name} is on ${network}`).toContain(network);
    }
  });

  it('puts every service on networks the file defines', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const network of service.networks ?? []) expect(Object.keys(compose.networks ?? {}), `${name} is on ${network}`).toContain(network);
    }
  });

  it('publishes only the console (and the API), and the simulators not at all', () => {
    const published = Object.entries(compose.services).flatMap(([name, s]) => (s.ports ? [name] : []));
    expect(published.every((name) => ['console', 'api'].includes(name)), published.join(', ')).toBe(true);
    expect(compose.services.console!.ports).toEqual(['8090:8090']);
    expect(compose.services.simulators!.networks).toEqual(internalNetworks);
  });

  it('runs the worker, the console and the API in production mode unless NODE_ENV says otherwise, as the image does', () => {
    expect(readFileSync(new URL('Dockerfile', ROOT), 'utf8')).toMatch(/^ENV NODE_ENV=production$/m);
    for (const name of Object.keys(ENTRY_POINTS)) expect(compose.services[name]!.environment?.NODE_ENV, name).toBe('${NODE_ENV:-production}');
  });

  it('passes every variable production requires to the service that reads it', () => {
    for (const [name, entry] of Object.entries(ENTRY_POINTS)) {
      const environment = compose.services[name]!.environment ?? {};
      for (const setting of DEVELOPMENT_SETTINGS.filter((s) => s.usedBy.includes(entry) && !s.optional)) {
        expect(environment[setting.variable], `${name} lacks ${setting.variable}`).toMatch(new RegExp(`^\\$\\{${setting.variable}(:-.*)?\\}$`));
      }
    }
  });

  it('falls back only to development values production refuses, so none slips through as real', () => {
    for (const [name, entry] of Object.entries(ENTRY_POINTS)) {
      for (const setting of DEVELOPMENT_SETTINGS.filter((s) => s.usedBy.includes(entry))) {
        const fallback = /^\$\{[A-Z_]+:-(.*)\}$/.exec(compose.services[name]!.environment?.[setting.variable] ?? '')?.[1];
        if (fallback === undefined) continue;
        expect(setting.problem({ [setting.variable]: fallback }), `${name} ${setting.variable} falls back to a value production accepts`).toBeDefined();
      }
    }
  });

  it('publishes the Temporal UI, when ops add docker/compose.ops-ui.yml, on the loopback only', () => {
    const ops = readComposeFile(new URL('docker/compose.ops-ui.yml', ROOT));
    expect(Object.keys(ops.services)).toEqual(['temporal-ui']);
    expect(ops.services['temporal-ui']!.ports?.every((p) => p.startsWith('127.0.0.1:'))).toBe(true);
  });
});
