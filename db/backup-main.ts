import { main } from '../cli/main.js';

/** `npm run backup -- --out DIR`, `npm run restore -- --from DIR` = `esu-bridge backup|restore` (cli/commands/backup.ts). */
const [command] = process.argv.slice(2);
if (command === 'backup' || command === 'restore') main(process.argv.slice(2));
else {
  console.error(`unknown command ${command ?? '(none)'}: backup --out DIR | restore --from DIR`);
  process.exit(2);
}
