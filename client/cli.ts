import { main } from '../cli/main.js';

/**
 * `npm run cli -- <command>`: the console's commands of `esu-bridge` (cli/main.ts), kept as an entry so that
 * scripts and the README's examples go on working; `esu-bridge <command>` is the same.
 */
main(process.argv.slice(2));
