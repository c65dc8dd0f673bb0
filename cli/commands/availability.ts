import { consoleLeaf } from '../console-command.js';
import { registerCommand } from '../registry.js';

/** The counterparts' availability index over 24 hours, 7 and 30 days. */
registerCommand(
  'availability',
  consoleLeaf({
    name: 'availability',
    description: "the counterparts' availability over 24h, 7d and 30d, and ongoing outages",
    args: {},
  }),
);
