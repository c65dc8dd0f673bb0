import { main } from '../cli/main.js';

/** `npm run retention -- [schedule] [--dry-run] [--as-of ISO-TIME] [--batch N] [--json]` = `esu-bridge retention …` (cli/commands/retention.ts). */
main(['retention', ...process.argv.slice(2)]);
