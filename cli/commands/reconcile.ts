import { runConsole } from '../console-command.js';
import { group, JSON_FLAG, leaf, registerCommand } from '../registry.js';

/** The daily reconciliation against ESU, Nomapay and AFM (client/reconciliation.ts); exit 8 while a day has open differences. */
const DAY = {
  day: { type: 'string', description: 'the Almaty day (YYYY-MM-DD)', required: true },
  csv: { type: 'boolean', description: 'print the CSV report' },
  ...JSON_FLAG,
} as const;

registerCommand(
  'reconcile',
  group({
    name: 'reconcile',
    description: 'reconcile a day against ESU, Nomapay and AFM, read a day, or create the daily Schedule',
    subCommands: {
      run: leaf({
        name: 'run',
        description: 'reconcile the day now (exit 8: differences open)',
        args: DAY,
        run: (ctx) => runConsole(['reconcile', 'run'], ctx),
      }),
      show: leaf({
        name: 'show',
        description: "the day's result (exit 8: differences open)",
        args: DAY,
        run: (ctx) => runConsole(['reconcile', 'show'], ctx),
      }),
      schedule: leaf({
        name: 'schedule',
        description: 'create the daily 06:00 Almaty Schedule, once',
        args: { ...JSON_FLAG },
        run: (ctx) => runConsole(['reconcile', 'schedule'], ctx),
      }),
    },
  }),
);
