import { runConsole } from '../console-command.js';
import { group, JSON_FLAG, leaf, registerCommand, str } from '../registry.js';

/** Incident cards for AFM (AFM order No. 9): open a draft, amend it, submit it, close it. */
const ID = { type: 'positional', description: 'the incident id', valueHint: 'incidentId' } as const;
const FILE = {
  type: 'string',
  description: 'the card or the patch (JSON)',
  valueHint: 'card.json',
  required: true,
} as const;

registerCommand(
  'incident',
  group({
    name: 'incident',
    description: 'incident cards: open, amend, submit, close',
    subCommands: {
      open: leaf({
        name: 'open',
        description:
          'open a draft (it needs name and detectedAt with its UTC offset); again with the same --id joins it',
        args: { file: FILE, id: { type: 'string', description: 'the incident id (default: a new one)' }, ...JSON_FLAG },
        run: (ctx) => runConsole(['incident', 'open'], ctx),
      }),
      amend: leaf({
        name: 'amend',
        description: 'amend a draft with a patch',
        args: { id: ID, file: FILE, ...JSON_FLAG },
        run: (ctx) => runConsole(['incident', 'amend', str(ctx.args, 'id') ?? ''], ctx),
      }),
      submit: leaf({
        name: 'submit',
        description: 'submit the card to AFM (exit 3 naming what is still missing)',
        args: { id: ID, ...JSON_FLAG },
        run: (ctx) => runConsole(['incident', 'submit', str(ctx.args, 'id') ?? ''], ctx),
      }),
      close: leaf({
        name: 'close',
        description: 'close the incident',
        args: { id: ID, note: { type: 'string', description: 'a note for the journal' }, ...JSON_FLAG },
        run: (ctx) => runConsole(['incident', 'close', str(ctx.args, 'id') ?? ''], ctx),
      }),
    },
  }),
);
