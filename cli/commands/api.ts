import { randomBytes } from 'node:crypto';
import { UsageError } from '../../client/cli-commands.js';
import { group, JSON_FLAG, leaf, registerCommand, str } from '../registry.js';

/** The bookmaker API's set-up: a new API key and its API_KEYS entry. */
registerCommand(
  'api',
  group({
    name: 'api',
    description: "the bookmaker API's set-up",
    subCommands: {
      'new-key': leaf({
        name: 'new-key',
        description: 'a new API key for a service and its API_KEYS entry (only the hash is configured)',
        args: {
          name: { type: 'positional', description: 'the service the key is for', valueHint: 'service-name' },
          scopes: {
            type: 'positional',
            description: 'scopes joined with +, e.g. deposits:write+bets:write',
            default: '*',
          },
          ...JSON_FLAG,
        },
        run: async ({ args }) => {
          const { apiConfig, apiKeyEntry } = await import('../../config/api.js');
          const name = str(args, 'name')!;
          const scopes = (str(args, 'scopes') ?? '*').split('+');
          const key = randomBytes(24).toString('base64url');
          const entry = apiKeyEntry(name, key, scopes);
          try {
            apiConfig({ API_KEYS: entry }); // the same check the API applies at start
          } catch (err) {
            throw new UsageError((err as Error).message);
          }
          if (args.json) console.log(JSON.stringify({ name, scopes, key, entry }, null, 2));
          else
            console.log(
              `key for ${name} (hand it to the service; only its hash is configured): ${key}\nAPI_KEYS entry: ${entry}`,
            );
          return 0;
        },
      }),
    },
  }),
);
