import { main } from '../cli/main.js';

/** `npm run migrate` = `esu-bridge migrate` (cli/commands/migrate.ts), kept as an entry for the compose job and scripts. */
main(['migrate', ...process.argv.slice(2)]);
