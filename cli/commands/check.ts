import { JSON_FLAG, leaf, registerCommand } from '../registry.js';

/** `esu-bridge check`: the integration plan's checks against the configured endpoints (client/check.ts). */
registerCommand(
  'check',
  leaf({
    name: 'check',
    description:
      "the integration plan's checks: channel (DNS, TCP, TLS, certificates, mutual TLS), API key, signature, test exchange (exit 0 only when all pass)",
    args: {
      counterpart: { type: 'string', description: 'esu, nomapay or afm (repeat for several; default all)' },
      ...JSON_FLAG,
    },
    run: async ({ rawArgs }) => {
      const { checkCommand } = await import('../../client/check-command.js');
      return checkCommand(rawArgs); // citty passes the arguments after `check`
    },
  }),
);
