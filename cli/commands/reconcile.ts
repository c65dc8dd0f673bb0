import { consoleLeaf } from '../console-command.js';
import { group, JSON_FLAG, leaf, registerCommand } from '../registry.js';

/** The daily reconciliation against ESU, Nomapay and AFM (client/reconciliation.ts); exit 8 while a day has open differences. */
const DAY = {
  day: { type: 'string', description: 'the Almaty day (YYYY-MM-DD)', required: true },
  csv: { type: 'boolean', description: 'print the CSV report' },
} as const;

registerCommand(
  'reconcile',
  group({
    name: 'reconcile',
    description: 'reconcile a day against ESU, Nomapay and AFM, read a day, or create the daily Schedule',
    subCommands: {
      run: consoleLeaf({
        name: 'run',
        description: 'reconcile the day now (exit 8: differences open)',
        args: DAY,
        action: ['reconcile', 'run'],
      }),
      show: consoleLeaf({
        name: 'show',
        description: "the day's result (exit 8: differences open)",
        args: DAY,
        action: ['reconcile', 'show'],
      }),
      schedule: leaf({
        name: 'schedule',
        description: 'on the server (TEMPORAL_*): create the daily 06:00 Almaty Schedule, once',
        args: { ...JSON_FLAG },
        run: async ({ args }) => {
          // Set-up by the operator, with the server's Temporal credentials: no console action, no console token.
          const { connectClient } = await import('../../client/connect.js');
          const { ensureReconciliationSchedule } = await import('../../client/reconciliation-schedule.js');
          const { client, connection, taskQueue } = await connectClient();
          try {
            const outcome = await ensureReconciliationSchedule(client, taskQueue);
            console.log(
              args.json
                ? JSON.stringify({ outcome }, null, 2)
                : `esu-bridge-reconciliation: ${outcome === 'CREATED' ? 'created (daily 06:00 Asia/Almaty, for the previous day)' : 'already exists, left as it is'}`,
            );
            return 0;
          } finally {
            await connection.close();
          }
        },
      }),
    },
  }),
);
