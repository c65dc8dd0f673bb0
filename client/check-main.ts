import { checkCommand } from './check-command.js';

/** `npm run check -- [--counterpart esu|nomapay|afm] [--json]` (client/check-command.ts); the exit code is the verdict. */
checkCommand(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(err);
    process.exitCode = 2;
  },
);
