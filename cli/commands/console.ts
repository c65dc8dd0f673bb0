import { group, leaf, registerCommand } from '../registry.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** The console's set-up: a password hash for CONSOLE_USERS. */
registerCommand(
  'console',
  group({
    name: 'console',
    description: "the console's set-up",
    subCommands: {
      'hash-password': leaf({
        name: 'hash-password',
        description: 'read a password from stdin and print its hash, the secret of a CONSOLE_USERS entry',
        args: {},
        run: async () => {
          const { hashPassword } = await import('../../console/auth.js');
          console.log(hashPassword(await readStdin()));
          return 0;
        },
      }),
    },
  }),
);
