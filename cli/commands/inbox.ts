import { runConsole } from '../console-command.js';
import { JSON_FLAG, leaf, registerCommand, str } from '../registry.js';

/** The console's inboxes: list, show and assign incidents, submissions and identification reviews. */
const INBOX = { type: 'positional', description: 'incidents | submissions | reviews', valueHint: 'inbox' } as const;

registerCommand(
  'list',
  leaf({
    name: 'list',
    description: "an inbox's items, most urgent first (exit 6 when the inbox's source is not available yet)",
    args: {
      inbox: INBOX,
      status: { type: 'string', description: 'only items in this status' },
      counterpart: { type: 'string', description: 'only this counterpart (AFM, ESU, …)' },
      bettor: { type: 'string', description: 'only this bettor (IIN or bettor reference)' },
      from: { type: 'string', description: 'from this day (YYYY-MM-DD)' },
      to: { type: 'string', description: 'to this day (YYYY-MM-DD)' },
      mine: { type: 'boolean', description: 'only items assigned to me' },
      ...JSON_FLAG,
    },
    run: (ctx) => runConsole(['list', str(ctx.args, 'inbox') ?? ''], ctx),
  }),
);

registerCommand(
  'show',
  leaf({
    name: 'show',
    description: 'one item of an inbox, in full',
    args: { inbox: INBOX, id: { type: 'positional', description: 'the item id' }, ...JSON_FLAG },
    run: (ctx) => runConsole(['show', str(ctx.args, 'inbox') ?? '', str(ctx.args, 'id') ?? ''], ctx),
  }),
);

registerCommand(
  'assign',
  leaf({
    name: 'assign',
    description: 'assign an item to a user (to me without --to)',
    args: {
      inbox: INBOX,
      id: { type: 'positional', description: 'the item id' },
      to: { type: 'string', description: 'login of the assignee' },
      ...JSON_FLAG,
    },
    run: (ctx) => runConsole(['assign', str(ctx.args, 'inbox') ?? '', str(ctx.args, 'id') ?? ''], ctx),
  }),
);
