/**
 * The bundle's entry point: every workflow esu-bridge runs, by its type.
 *
 * Each workflow a worker starts (or replays after its cache let it go) evaluates its own copy of the modules it
 * imports, so this entry point imports none of them up front: a workflow type's module is loaded when one of its
 * workflows begins, and a deposit never builds the incident card's or the migration's schemas (one workflow's
 * modules cost about 1.5–4 ms of CPU; all of them, 9.5 ms: `npm run bench:workflow-modules`). `webpackMode:
 * "eager"` keeps each module in the one bundle; the `import()` resolves in the workflow's first activation, before
 * any command, so histories are unchanged.
 */
type Workflow = (...args: never[]) => Promise<unknown>;

function loadedWhenStarted<M, K extends keyof M>(load: () => Promise<M>, type: K): M[K] {
  const started = async (...args: never[]) => ((await load())[type] as Workflow)(...args);
  return Object.defineProperty(started, 'name', { value: type }) as M[K];
}

export const deposit = loadedWhenStarted(() => import(/* webpackMode: "eager" */ './deposit.js'), 'deposit');
export const placeBet = loadedWhenStarted(() => import(/* webpackMode: "eager" */ './bet.js'), 'placeBet');
export const settleBet = loadedWhenStarted(() => import(/* webpackMode: "eager" */ './settlement.js'), 'settleBet');
export const payout = loadedWhenStarted(() => import(/* webpackMode: "eager" */ './payout.js'), 'payout');
export const identification = loadedWhenStarted(
  () => import(/* webpackMode: "eager" */ './identification.js'),
  'identification',
);
export const migration = loadedWhenStarted(() => import(/* webpackMode: "eager" */ './migration.js'), 'migration');
export const incident = loadedWhenStarted(() => import(/* webpackMode: "eager" */ './incident.js'), 'incident');
export const incidentDetector = loadedWhenStarted(
  () => import(/* webpackMode: "eager" */ './incident-detector.js'),
  'incidentDetector',
);
export const submission = loadedWhenStarted(
  () => import(/* webpackMode: "eager" */ './submission/workflow.js'),
  'submission',
);
export const consentRevocation = loadedWhenStarted(
  () => import(/* webpackMode: "eager" */ './consent-revocation.js'),
  'consentRevocation',
);
export const retention = loadedWhenStarted(() => import(/* webpackMode: "eager" */ './retention.js'), 'retention');
export const verdictReader = loadedWhenStarted(
  () => import(/* webpackMode: "eager" */ './verdict-reader.js'),
  'verdictReader',
);
export const reconciliation = loadedWhenStarted(
  () => import(/* webpackMode: "eager" */ './reconciliation.js'),
  'reconciliation',
);
