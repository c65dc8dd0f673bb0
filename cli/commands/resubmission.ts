import { UsageError } from '../../client/cli-commands.js';
import { runConsole } from '../console-command.js';
import { JSON_FLAG, leaf, registerCommand, str } from '../registry.js';

/** A correction held for a second officer (it changed an amount or a date): approve it, or refuse it (its author may withdraw it). */
registerCommand(
  'resubmission',
  leaf({
    name: 'resubmission',
    description:
      'a held correction: approve (a second officer, not its author: resubmitted through its workflow) or refuse (the submission stays REJECTED)',
    args: {
      submission: { type: 'positional', description: 'the submission id', valueHint: 'submissionId' },
      decision: { type: 'positional', description: 'approve or refuse', valueHint: 'approve|refuse' },
      note: { type: 'string', description: 'why (journalled)' },
      ...JSON_FLAG,
    },
    run: (ctx) => {
      const decision = str(ctx.args, 'decision');
      if (decision !== 'approve' && decision !== 'refuse')
        throw new UsageError('resubmission <submissionId> approve|refuse [--note text]');
      return runConsole(['resubmission', str(ctx.args, 'submission') ?? '', decision], ctx);
    },
  }),
);
