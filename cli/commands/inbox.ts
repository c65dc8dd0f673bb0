import { consoleLeaf } from '../console-command.js';
import { registerCommand } from '../registry.js';

/** The console's inboxes: list, show and assign incidents, submissions and identification reviews. */
const INBOX = { type: 'positional', description: 'incidents | submissions | reviews', valueHint: 'inbox' } as const;
const ID = { type: 'positional', description: 'the item id' } as const;

/** The console's inbox filters (console/inbox.ts), as flags. */
const FILTERS = {
  status: { type: 'string', description: 'only items in this status' },
  counterpart: { type: 'string', description: 'only this counterpart (AFM, ESU, …)' },
  bettor: { type: 'string', description: 'only this bettor (IIN or bettor reference)' },
  from: { type: 'string', description: 'from this day (YYYY-MM-DD)' },
  to: { type: 'string', description: 'to this day (YYYY-MM-DD)' },
  mine: { type: 'boolean', description: 'only items assigned to me' },
} as const;

registerCommand(
  'list',
  consoleLeaf({
    name: 'list',
    description: "an inbox's items, most urgent first (exit 6 when the inbox's source is not available yet)",
    args: { inbox: INBOX, ...FILTERS },
  }),
);

registerCommand(
  'show',
  consoleLeaf({ name: 'show', description: 'one item of an inbox, in full', args: { inbox: INBOX, id: ID } }),
);

registerCommand(
  'assign',
  consoleLeaf({
    name: 'assign',
    description: 'assign an item to a user (to me without --to)',
    args: { inbox: INBOX, id: ID, to: { type: 'string', description: 'login of the assignee' } },
  }),
);
