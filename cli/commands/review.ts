import { consoleLeaf } from '../console-command.js';
import { registerCommand } from '../registry.js';

/** An identification review: an officer approves or refuses a bettor's identification. */
registerCommand(
  'review',
  consoleLeaf({
    name: 'review',
    description: "decide a bettor's identification review",
    args: {
      bettor: { type: 'positional', description: 'the bettor id', valueHint: 'bettorId' },
      decision: { type: 'positional', description: 'approve | refuse' },
      note: { type: 'string', description: 'a note for the journal' },
    },
  }),
);
