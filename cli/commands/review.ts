import { runConsole } from '../console-command.js';
import { JSON_FLAG, leaf, registerCommand, str } from '../registry.js';

/** An identification review: an officer approves or refuses a bettor's identification. */
registerCommand(
  'review',
  leaf({
    name: 'review',
    description: "decide a bettor's identification review",
    args: {
      bettor: { type: 'positional', description: 'the bettor id', valueHint: 'bettorId' },
      decision: { type: 'positional', description: 'approve | refuse' },
      note: { type: 'string', description: 'a note for the journal' },
      ...JSON_FLAG,
    },
    run: (ctx) => runConsole(['review', str(ctx.args, 'bettor') ?? '', str(ctx.args, 'decision') ?? ''], ctx),
  }),
);
