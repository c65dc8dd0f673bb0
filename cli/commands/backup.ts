import { leaf, registerCommand, str } from '../registry.js';

/** `esu-bridge backup --out DIR`, `esu-bridge restore --from DIR` against DATABASE_URL (db/backup-command.ts, db/backup.ts). */
async function backupCommand(argv: string[]): Promise<number> {
  const { runBackupCommand } = await import('../../db/backup-command.js');
  const { verifyJournal } = await import('../../console/journal-chain.js');
  return runBackupCommand(argv, (pool) => verifyJournal(pool));
}

const COMMANDS = [
  {
    name: 'backup',
    description:
      'write every table of DATABASE_URL, in one snapshot, to a new directory with a manifest (SHA-256, rows)',
    flag: 'out',
    flagDescription: 'the directory to create',
  },
  {
    name: 'restore',
    description:
      'load a backup into the empty database DATABASE_URL and verify it (exit 3: does not verify; 4: refused)',
    flag: 'from',
    flagDescription: 'the backup directory',
  },
] as const;

for (const { name, description, flag, flagDescription } of COMMANDS) {
  registerCommand(
    name,
    leaf({
      name,
      description,
      args: { [flag]: { type: 'string', description: flagDescription, valueHint: 'DIR', required: true } },
      run: ({ args }) => backupCommand([name, `--${flag}`, str(args, flag)!]),
    }),
  );
}
