import vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, type BundleOptions } from '@temporalio/worker';
import { SAGA_BUNDLE } from '../workers/sagas.js';
import { markdownTable } from './stats.js';

/**
 * `npm run bench:workflow-modules [-- runs] [--by-module]`: what evaluating the workflow bundle's modules costs
 * each workflow a worker starts, with and without the modules the worker shares (workflows/shared-modules.ts).
 *
 * The worker runs every workflow in one reusable V8 context, but each workflow gets its own copy of the
 * bundle's modules: a module cache that starts empty, in front of the modules loaded before any workflow existed
 * (the SDK's `preloadModules`, frozen and shared). `loadLikeTheWorker` evaluates a bundle the same way
 * (@temporalio/worker's reusable-vm: a `__webpack_module_cache__` proxy, shared modules first), so what it
 * counts is what a workflow pays before its first line runs: a new workflow, or one evicted from the cache
 * and replayed. CPU time of this process, so other load on the machine moves it little.
 */

export interface LoadedBundle {
  /** The modules evaluated before any workflow: shared by all of them. */
  shared: string[];
  /**
   * Evaluates what one new workflow of this type evaluates before its first line: the entry point, and the modules
   * its type loads. Answers those modules. (The workflow itself then fails at once: there is no workflow here.)
   */
  startWorkflow(type: string): Promise<string[]>;
  /** CPU milliseconds each module took, exclusive of the modules it imported, summed over every call so far. */
  moduleTimes(): Map<string, number>;
}

export async function bundle(options: Omit<BundleOptions, 'logger'>): Promise<string> {
  return (await bundleWorkflowCode({ ...options, logger: new DefaultLogger('WARN') })).code;
}

export function loadLikeTheWorker(code: string, { timeModules = false } = {}): LoadedBundle {
  const shared = new Map<string, unknown>();
  let own: Map<string, unknown> | undefined;
  const context = vm.createContext({});
  Object.defineProperty(context, '__webpack_module_cache__', {
    value: new Proxy(
      {},
      {
        get: (_, id: string) => shared.get(id) ?? own?.get(id),
        set: (_, id: string, module) => ((own ?? shared).set(id, module), true),
      },
    ),
  });
  Object.assign(context, { TextEncoder, TextDecoder, URL, URLSearchParams, AbortController, console });
  const times = new Map<string, number>();
  const stack: { id: string; at: number; children: number }[] = [];
  const call = '__webpack_modules__[moduleId].call(module.exports, module, module.exports, __webpack_require__);';
  if (timeModules) {
    if (!code.includes(call)) throw new Error('the bundle no longer calls its modules the way --by-module expects');
    code = code.replace(
      call,
      `{ const __f = __modules.enter(moduleId); try { ${call} } finally { __modules.exit(__f); } }`,
    );
    Object.assign(context, {
      __modules: {
        enter: (id: string) => (stack.push({ id, at: cpuMs(), children: 0 }), stack.at(-1)),
        exit(frame: { id: string; at: number; children: number }) {
          stack.pop();
          const took = cpuMs() - frame.at;
          times.set(frame.id, (times.get(frame.id) ?? 0) + took - frame.children);
          if (stack.length) stack.at(-1)!.children += took;
        },
      },
    });
  }
  new vm.Script(code, { filename: 'workflow-bundle.js' }).runInContext(context);
  type Workflows = Record<string, () => Promise<unknown>>;
  const entry = (context as { __TEMPORAL__: { preloadModules(): void; importWorkflows(): Workflows } }).__TEMPORAL__;
  entry.preloadModules();
  return {
    shared: [...shared.keys()],
    async startWorkflow(type) {
      own = new Map();
      const workflow = entry.importWorkflows()[type];
      if (!workflow) throw new Error(`the bundle has no workflow ${type}`);
      await workflow().catch(() => undefined);
      return [...own.keys()];
    },
    moduleTimes: () => times,
  };
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU milliseconds per workflow of this type over `runs` workflows, after `runs / 10` to warm up. */
export async function cpuMsPerWorkflow(loaded: LoadedBundle, type: string, runs: number): Promise<number> {
  for (let i = 0; i < Math.ceil(runs / 10); i++) await loaded.startWorkflow(type);
  const before = cpuMs();
  for (let i = 0; i < runs; i++) await loaded.startWorkflow(type);
  return (cpuMs() - before) / runs;
}

/** The workflows a bettor's operations start most, and the ones with the most modules. */
const MEASURED_TYPES = ['deposit', 'placeBet', 'settleBet', 'payout', 'submission', 'identification', 'incident'];

async function main() {
  const args = process.argv.slice(2);
  const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 200);
  const shapes = [
    { name: 'zod shared', options: SAGA_BUNDLE },
    { name: 'nothing shared', options: { workflowsPath: SAGA_BUNDLE.workflowsPath } },
  ];
  const loaded = await Promise.all(shapes.map(async (shape) => loadLikeTheWorker(await bundle(shape.options))));
  const rows: string[][] = [];
  for (const type of MEASURED_TYPES) {
    const row = [type];
    for (const bundled of loaded) {
      const modules = (await bundled.startWorkflow(type)).length;
      row.push(String(modules), (await cpuMsPerWorkflow(bundled, type, runs)).toFixed(2));
    }
    rows.push(row);
  }
  const header = shapes.flatMap((s) => [`modules (${s.name})`, `CPU ms (${s.name})`]);
  console.log(`\nEvaluating the workflow bundle's modules, per workflow started (${runs} workflows each)\n`);
  console.log(`modules shared: ${shapes.map((s, i) => `${loaded[i]!.shared.length} (${s.name})`).join(', ')}\n`);
  console.log(markdownTable(['workflow', ...header], rows));
  if (args.includes('--by-module')) {
    const timed = loadLikeTheWorker(await bundle(SAGA_BUNDLE), { timeModules: true });
    const total = Math.ceil(runs / 10) + runs;
    for (const type of MEASURED_TYPES) await cpuMsPerWorkflow(timed, type, runs);
    const top = [...timed.moduleTimes()].sort((a, b) => b[1] - a[1]).slice(0, 25);
    console.log(`\nThe modules workflows evaluate, by CPU time of their own, per workflow (all types above)\n`);
    console.log(
      markdownTable(
        ['module', 'CPU ms per workflow'],
        top.map(([id, ms]) => [id, (ms / (total * MEASURED_TYPES.length)).toFixed(3)]),
      ),
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
