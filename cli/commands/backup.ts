import { leaf, registerCommand, str } from '../registry.js';

/** `esu-bridge backup --out DIR`, `esu-bridge restore --from DIR` against DATABASE_URL (db/backup-command.ts, db/backup.ts). */
async function backupCommand(argv: string[]): Promise<number> {
  const { runBackupCommand } = await import('../../db/backup-command.js');
  return runBackupCommand(argv);
}

registerCommand(
  'backup',
  leaf({
    name: 'backup',
    description:
      'write every table of DATABASE_URL, in one snapshot, to a new directory with a manifest (SHA-256, rows)',
    args: { out: { type: 'string', description: 'the directory to create', valueHint: 'DIR', required: true } },
    run: ({ args }) => backupCommand(['backup', '--out', str(args, 'out')!]),
  }),
);

registerCommand(
  'restore',
  leaf({
    name: 'restore',
    description:
      'load a backup into the empty database DATABASE_URL and verify it (exit 3: does not verify; 4: refused)',
    args: { from: { type: 'string', description: 'the backup directory', valueHint: 'DIR', required: true } },
    run: ({ args }) => backupCommand(['restore', '--from', str(args, 'from')!]),
  }),
);
