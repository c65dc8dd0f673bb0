import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as journalConfig from '../../config/journal.js';
import * as apiConfig from '../../config/api.js';
import { encryptionCodecFromEnv } from '../../codec/encryption.js';
import * as consoleConfig from '../../config/console.js';
import * as config from '../../config/index.js';
import * as databaseConfig from '../../config/database.js';
import { DEVELOPMENT_SETTINGS, type EntryPoint } from '../../config/production.js';
import { SIGNING_VARIABLES } from '../../config/signing.js';
import { workerProcessConfig } from '../../config/worker.js';
import { ALL_SEARCH_ATTRIBUTES } from '../../domain/search-attributes.js';
import { searchAttributeTypes } from '../../stack/temporal-namespace.js';
import { readComposeFile } from '../support/compose-file.js';

/**
 * docker-compose.yml held to the code, since Docker cannot run here: what is published, which networks, the
 * variables each of our services is given against those the code reads, the commands against the sources
 * `npm run build` compiles, the image pins, the order of start-up, health checks and restart policies.
 */
const ROOT = new URL('../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, ROOT), 'utf8');
const composeText = read('docker-compose.yml');
const compose = readComposeFile(new URL('docker-compose.yml', ROOT));
const dotEnv = Object.fromEntries(
  read('.env')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
const internalNetworks = Object.entries(compose.networks ?? {}).flatMap(([name, n]) =>
  n.internal === 'true' ? [name] : [],
);
const services = Object.entries(compose.services);
/** Our image's services (built from this repository) and the rest (Temporal's and PostgreSQL's images). */
const ours = services.filter(([, s]) => s.build);
/** Which esu-bridge entry point a service runs. */
const ENTRY_POINTS: Record<string, EntryPoint> = { worker: 'worker', console: 'console', api: 'api' };
/** Run to completion and gate what depends on them: no health check, restarted on failure only. */
const JOBS = ['temporal-schema', 'temporal-namespace', 'migrate'];

/** Every environment variable the code's configuration readers look at, recorded through a Proxy. */
function variablesRead(): Set<string> {
  const seen = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get: (_target, key) => {
      if (typeof key === 'string') seen.add(key);
      return undefined;
    },
  });
  const readers = [
    ...Object.values(config),
    ...Object.values(databaseConfig),
    ...Object.values(consoleConfig),
    ...Object.values(apiConfig),
    ...Object.values(journalConfig),
    encryptionCodecFromEnv,
  ].filter((f) => typeof f === 'function');
  for (const reader of readers) {
    try {
      (reader as (env: unknown) => unknown)(env);
    } catch {
      // readers of other arguments, or a refusal of the empty environment: what they read is recorded all the same
    }
    try {
      (reader as (a: unknown, b: unknown, env: unknown) => unknown)('AFM', { keyId: 'k', key: 'k' }, env); // messageSigningConfig
    } catch {
      // as above
    }
  }
  return seen;
}
/** The schema keys written out in config/ (a reader that spreads `env` first hides from the Proxy). */
const DECLARED = readdirSync(new URL('config/', ROOT))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => `config/${file}`)
  .flatMap((file) =>
    [...read(file).matchAll(/^\s+([A-Z][A-Z0-9_]+): (z|boolean|duration|durationList|optionalPath)\b/gm)].map(
      (m) => m[1]!,
    ),
  );
const READ = new Set([...variablesRead(), ...DECLARED, ...SIGNING_VARIABLES]);
/** simulators/main.ts reads its own listening settings beside config/. */
const SIMULATOR_VARIABLES = new Set(
  [...read('simulators/main.ts').matchAll(/^\s+([A-Z][A-Z0-9_]+): z\b/gm)].map((m) => m[1]!),
);

/** The source a `dist/…js` command is compiled from, if `npm run build` compiles it (tsconfig.build.json). */
function sourceOf(command: string): string | undefined {
  const match = /^dist\/(.+)\.js$/.exec(command);
  if (!match) return undefined;
  const source = `${match[1]}.ts`;
  const include: string[] = JSON.parse(read('tsconfig.build.json')).include;
  return include.includes(source.split('/')[0]!) && existsSync(new URL(source, ROOT)) ? source : undefined;
}

describe('docker-compose.yml', () => {
  it('keeps Temporal, its set-up and PostgreSQL on internal networks only, with no published port', () => {
    expect(internalNetworks.length).toBeGreaterThan(0);
    for (const name of ['postgresql', 'temporal-schema', 'temporal', 'temporal-namespace']) {
      const service = compose.services[name]!;
      expect(service, name).toBeDefined();
      expect(service.ports, `${name} publishes ports`).toBeUndefined();
      expect(service.networks?.length, `${name} networks`).toBeGreaterThan(0);
      for (const network of service.networks!) expect(internalNetworks, `${name} is on ${network}`).toContain(network);
    }
  });

  it('puts every service on networks the file defines', () => {
    for (const [name, service] of services) {
      for (const network of service.networks ?? [])
        expect(Object.keys(compose.networks ?? {}), `${name} is on ${network}`).toContain(network);
    }
  });

  it('publishes the console, the API and the Temporal UI (on the loopback: it has no sign-in) and nothing else', () => {
    const published = Object.fromEntries(services.flatMap(([name, s]) => (s.ports ? [[name, s.ports]] : [])));
    expect(published).toEqual({ 'temporal-ui': ['127.0.0.1:8080:8080'], console: ['8090:8090'], api: ['8091:8091'] });
    expect(compose.services.simulators!.networks).toEqual(internalNetworks);
  });

  it('pins every image: Temporal’s by a version in .env, the admin tools of the same server release as the server', () => {
    for (const [name, service] of services) {
      if (service.build) {
        expect(service.image, name).toBe('esu-bridge:local');
        continue;
      }
      const variable = /^[a-z0-9/_-]+:\$\{([A-Z_]+)\}$/.exec(service.image ?? '')?.[1];
      expect(variable, `${name} image ${service.image}`).toBeDefined();
      expect(dotEnv[variable!], `${variable} in .env`).toMatch(/^\d+(\.\d+)+(-[a-z0-9.-]+)?$/);
    }
    expect(dotEnv.TEMPORAL_ADMINTOOLS_VERSION!.split('-')[0]).toBe(dotEnv.TEMPORAL_VERSION);
    expect(dotEnv.NODE_IMAGE).toMatch(/^node:\d+\.\d+-[a-z]+-slim$/);
  });

  it('sets only variables the code reads, in every service built from this repository', () => {
    expect(READ.size).toBeGreaterThan(40);
    for (const [name, service] of ours) {
      const allowed = name === 'simulators' ? new Set([...READ, ...SIMULATOR_VARIABLES]) : READ;
      for (const variable of Object.keys(service.environment ?? {}))
        expect(allowed.has(variable), `${name} sets ${variable}, which nothing reads`).toBe(true);
    }
  });

  it('runs compiled JavaScript that `npm run build` emits, for every service built from this repository', () => {
    expect(read('Dockerfile')).toMatch(/^ENTRYPOINT \["node"\]$/m);
    for (const [name, service] of ours) {
      const script = service.command?.at(-1);
      expect(script, `${name} command`).toBeDefined();
      expect(sourceOf(script!), `${name} runs ${script}`).toBeDefined();
    }
    expect(sourceOf(/^CMD \["(.+)"\]$/m.exec(read('Dockerfile'))![1]!)).toBe('workers/main.ts');
    expect(sourceOf('dist/workers/nothing-here.js')).toBeUndefined();
  });

  it('runs the worker with the Node flags its memory was measured with (WORKER_NODE_OPTIONS), as `npm run start.worker` does', () => {
    const flags = config.WORKER_NODE_OPTIONS.split(' ');
    expect(flags).toContain('--max-semi-space-size=4');
    expect(compose.services.worker!.command).toEqual([...flags, 'dist/workers/main.js']);
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(scripts['start.worker']).toBe(`node ${config.WORKER_NODE_OPTIONS} --import tsx workers/main.ts`);
    for (const [name, service] of ours)
      if (name !== 'worker') expect(service.command, `${name} command`).toHaveLength(1);
  });

  it('builds the image in stages: npm ci without a fallback, npm run build, production dependencies only', () => {
    const dockerfile = read('Dockerfile');
    const installs = dockerfile.split('\n').filter((line) => line.startsWith('RUN npm'));
    expect(installs.some((line) => line.includes('npm run build'))).toBe(true);
    expect(installs.some((line) => /npm ci .*--omit=dev/.test(line))).toBe(true);
    for (const line of installs) expect(line, line).not.toMatch(/\|\||npm install/);
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(read('scripts/build.sh')).toMatch(/bundle-workflows\.js/);
  });

  it('sets up the search attributes from the one list in domain/search-attributes.ts, with no second list here', () => {
    expect(compose.services['temporal-namespace']!.command).toEqual(['dist/scripts/setup-temporal.js']);
    expect(Object.keys(searchAttributeTypes())).toEqual(ALL_SEARCH_ATTRIBUTES.map((k) => k.name));
    for (const key of ALL_SEARCH_ATTRIBUTES)
      expect(composeText, `${key.name} listed in the compose file`).not.toContain(key.name);
  });

  it("starts in order: schema, server, cluster health and namespace, esu-bridge's schema, then the worker, console, API and UI", () => {
    expect(compose.services.temporal!.depends_on).toEqual({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    expect(compose.services['temporal-namespace']!.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    for (const name of ['worker', 'console', 'api', 'temporal-ui']) {
      expect(compose.services[name]!.depends_on?.['temporal-namespace'], name).toEqual({
        condition: 'service_completed_successfully',
      });
    }
    // esu-bridge's schema, applied once by the migrate job as the tables' owner: the processes only check it.
    expect(compose.services.migrate!.command).toEqual(['dist/db/main.js']);
    expect(compose.services.migrate!.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    for (const name of ['worker', 'console', 'api']) {
      expect(compose.services[name]!.depends_on?.migrate, name).toEqual({
        condition: 'service_completed_successfully',
      });
    }
  });

  it('hides no failure and leaves the broadcast address to the image', () => {
    expect(composeText).not.toMatch(/\|\|\s*true/);
    expect(composeText).not.toContain('TEMPORAL_BROADCAST_ADDRESS');
    expect(compose.services.temporal!.environment?.BIND_ON_IP).toBe('0.0.0.0');
    expect(compose.services['temporal-schema']!.command?.[0]).toMatch(/^set -eu/);
  });

  it('gives every long-running service a health check and a restart policy, and the jobs a bounded restart', () => {
    for (const [name, service] of services) {
      if (JOBS.includes(name)) {
        expect(service.restart, name).toMatch(/^on-failure:\d+$/);
        expect(service.healthcheck, name).toBeUndefined();
        continue;
      }
      expect(service.restart, name).toBe('unless-stopped');
      expect(service.healthcheck?.test?.[0], `${name} health check`).toMatch(/^CMD(-SHELL)?$/);
    }
    // Our processes answer /readyz (or /healthz for the simulators) on the port they listen on.
    const probes: Record<string, string> = {
      worker: '9465/readyz',
      console: '8090/readyz',
      api: '8091/readyz',
      simulators: '7301/healthz',
    };
    for (const [name, probe] of Object.entries(probes))
      expect(compose.services[name]!.healthcheck!.test!.join(' '), name).toContain(`127.0.0.1:${probe}`);
    expect(workerProcessConfig({}).health).toEqual({ host: '127.0.0.1', port: 9465 });
  });

  it('keeps the simulators out unless their profile is asked for, and nothing depends on them', () => {
    expect(compose.services.simulators!.profiles).toEqual(['simulators']);
    for (const [name, service] of services)
      expect(Object.keys(service.depends_on ?? {}), name).not.toContain('simulators');
  });

  it('gives the UI the console’s codec endpoint with credentials, and the console the UI’s origin', () => {
    const ui = compose.services['temporal-ui']!.environment!;
    const consoleEnv = compose.services.console!.environment!;
    const fallback = (value: string | undefined) => /^\$\{[A-Z_]+:-(.*)\}$/.exec(value ?? '')?.[1];
    const endpoint = new URL(fallback(ui.TEMPORAL_CODEC_ENDPOINT)!);
    expect(endpoint.port).toBe(consoleEnv.CONSOLE_PORT);
    expect(String(consoleConfig.consoleConfig({ CONSOLE_PORT: consoleEnv.CONSOLE_PORT }).port)).toBe(
      compose.services.console!.ports![0]!.split(':')[0],
    );
    expect(endpoint.pathname).toBe('/codec');
    expect(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe('true');
    const uiPort = compose.services['temporal-ui']!.ports![0]!.split(':').at(-2);
    // The same host name as the endpoint: the browser sends the console's SameSite session to the same site only.
    expect(fallback(consoleEnv.CONSOLE_CODEC_CORS_ORIGIN)).toBe(`http://${endpoint.hostname}:${uiPort}`);
  });

  it('runs the worker, the console and the API in production mode unless NODE_ENV says otherwise, as the image does', () => {
    expect(read('Dockerfile')).toMatch(/^ENV NODE_ENV=production$/m);
    for (const name of Object.keys(ENTRY_POINTS))
      expect(compose.services[name]!.environment?.NODE_ENV, name).toBe('${NODE_ENV:-production}');
  });

  it('passes every variable production requires to the service that reads it', () => {
    for (const [name, entry] of Object.entries(ENTRY_POINTS)) {
      const environment = compose.services[name]!.environment ?? {};
      for (const setting of DEVELOPMENT_SETTINGS.filter((s) => s.usedBy.includes(entry) && !s.optional)) {
        expect(environment[setting.variable], `${name} lacks ${setting.variable}`).toMatch(
          new RegExp(`^\\$\\{${setting.variable}(:-.*)?\\}$`),
        );
      }
    }
  });

  it('falls back only to development values production refuses, so none slips through as real', () => {
    for (const [name, entry] of Object.entries(ENTRY_POINTS)) {
      for (const setting of DEVELOPMENT_SETTINGS.filter((s) => s.usedBy.includes(entry))) {
        const fallback = /^\$\{[A-Z_]+:-(.*)\}$/.exec(
          compose.services[name]!.environment?.[setting.variable] ?? '',
        )?.[1];
        if (fallback === undefined) continue;
        expect(
          setting.problem({ [setting.variable]: fallback }),
          `${name} ${setting.variable} falls back to a value production accepts`,
        ).toBeDefined();
      }
    }
  });
});
