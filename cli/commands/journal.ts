import { consoleLeaf } from '../console-command.js';
import { group, registerCommand } from '../registry.js';

/** The tamper-evident journal: verify the chain, print the sealed head, export, list entries. */
registerCommand(
  'journal',
  group({
    name: 'journal',
    description: 'the journal: verify, head, export, list',
    subCommands: {
      verify: consoleLeaf({
        name: 'verify',
        description: 'verify the hash chain and the seals (exit 7 when tampering shows)',
        args: {
          anchor: {
            type: 'string',
            description: 'a sealed head kept earlier, to find entries removed since',
            valueHint: 'head.json',
          },
        },
        action: ['journal', 'verify'],
      }),
      head: consoleLeaf({
        name: 'head',
        description: 'the sealed head of the journal',
        args: {},
        action: ['journal', 'head'],
      }),
      export: consoleLeaf({
        name: 'export',
        description:
          'export entries as CSV (one of --day, --from/--to, --whole); with --out, the sealed head beside it',
        args: {
          day: { type: 'string', description: 'one day (YYYY-MM-DD)' },
          from: { type: 'string', description: 'from this day' },
          to: { type: 'string', description: 'to this day' },
          whole: { type: 'boolean', description: 'the whole journal' },
          out: { type: 'string', description: 'write to this file (and FILE.head.json)', valueHint: 'file.csv' },
        },
        action: ['journal', 'export'],
      }),
      list: consoleLeaf({
        name: 'list',
        description: 'journal entries',
        args: {
          record: { type: 'string', description: 'of this record id' },
          actor: { type: 'string', description: 'by this login' },
          event: { type: 'string', description: 'events starting with this prefix' },
          day: { type: 'string', description: 'on this day (YYYY-MM-DD)' },
        },
        action: ['journal', 'list'],
      }),
    },
  }),
);
