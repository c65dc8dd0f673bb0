import { runConsole } from '../console-command.js';
import { JSON_FLAG, leaf, registerCommand } from '../registry.js';

/** The counterparts' availability index over 24 hours, 7 and 30 days. */
registerCommand(
  'availability',
  leaf({
    name: 'availability',
    description: "the counterparts' availability over 24h, 7d and 30d, and ongoing outages",
    args: { ...JSON_FLAG },
    run: (ctx) => runConsole(['availability'], ctx),
  }),
);
