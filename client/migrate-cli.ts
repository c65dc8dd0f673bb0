import { main } from '../cli/main.js';

/** `tsx client/migrate-cli.ts start|watch|pause|resume|cancel <migrationId> …` = `esu-bridge migration …` (cli/commands/migration.ts). */
main(['migration', ...process.argv.slice(2)]);
