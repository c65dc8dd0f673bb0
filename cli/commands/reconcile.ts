import { consoleLeaf } from '../console-command.js';
import { group, registerCommand, reportLeaf } from '../registry.js';

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
      schedule: reportLeaf({
        name: 'schedule',
        description: 'on the server (TEMPORAL_*): create the daily 06:00 Almaty Schedule, once',
        report: async () => {
          // Set-up by the operator, with the server's Temporal credentials: no console action, no console token.
          const { connectClient } = await import('../../client/connect.js');
          const { ensureReconciliationSchedule } = await import('../../client/reconciliation-schedule.js');
          const { client, connection, taskQueue } = await connectClient();
          try {
            const outcome = await ensureReconciliationSchedule(client, taskQueue);
            return {
              data: { outcome },
              text: `esu-bridge-reconciliation: ${outcome === 'CREATED' ? 'created (daily 06:00 Asia/Almaty, for the previous day)' : 'already exists, left as it is'}`,
            };
          } finally {
            await connection.close();
          }
        },
      }),
    },
  }),
);
