import { consoleLeaf } from '../console-command.js';
import { registerCommand } from '../registry.js';

/** A submission to a counterpart: retry, resubmit corrected, record AFM's written notice. */
const SUBMISSION = { type: 'positional', description: 'the submission id', valueHint: 'submissionId' } as const;

registerCommand(
  'retry',
  consoleLeaf({
    name: 'retry',
    description: 'send a failed submission again, through its workflow',
    args: { submission: SUBMISSION },
  }),
);

registerCommand(
  'resubmit',
  consoleLeaf({
    name: 'resubmit',
    description:
      'resubmit a rejected submission with a corrected payload ({"counterpart": …, "record": {…}}, as `show` prints it)',
    args: {
      submission: SUBMISSION,
      file: {
        type: 'string',
        description: 'the corrected payload (JSON)',
        valueHint: 'corrected.json',
        required: true,
      },
    },
  }),
);

registerCommand(
  'notice',
  consoleLeaf({
    name: 'notice',
    description: "record AFM's written notice on a submission (AFM order No. 9): the submission becomes REJECTED",
    args: {
      submission: SUBMISSION,
      reference: { type: 'string', description: "AFM's reference of the notice" },
      date: { type: 'string', description: 'the date of the notice (YYYY-MM-DD)' },
      reason: { type: 'string', description: 'the reason AFM gives' },
      scan: { type: 'string', description: 'the scanned letter', valueHint: 'letter.pdf|.jpg|.png', required: true },
    },
  }),
);
