import { consoleLeaf } from '../console-command.js';
import { group, registerCommand } from '../registry.js';

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
      open: consoleLeaf({
        name: 'open',
        description:
          'open a draft (it needs name and detectedAt with its UTC offset); again with the same --id joins it',
        args: { file: FILE, id: { type: 'string', description: 'the incident id (default: a new one)' } },
        action: ['incident', 'open'],
      }),
      amend: consoleLeaf({
        name: 'amend',
        description: 'amend a draft with a patch',
        args: { id: ID, file: FILE },
        action: ['incident', 'amend'],
      }),
      submit: consoleLeaf({
        name: 'submit',
        description: 'submit the card to AFM (exit 3 naming what is still missing)',
        args: { id: ID },
        action: ['incident', 'submit'],
      }),
      close: consoleLeaf({
        name: 'close',
        description: 'close the incident',
        args: { id: ID, note: { type: 'string', description: 'a note for the journal' } },
        action: ['incident', 'close'],
      }),
    },
  }),
);
