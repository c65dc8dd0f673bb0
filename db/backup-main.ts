import { runBackupCommand } from './backup-command.js';

// `npm run backup -- --out DIR`, `npm run restore -- --from DIR`: see db/backup-command.ts for the exit codes.
runBackupCommand(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
