import { UsageError } from '../../client/cli-commands.js';
import { group, JSON_FLAG, leaf, registerCommand, reportLeaf, str } from '../registry.js';

/**
 * The payload keys (PAYLOAD_KEYS). `codec keys`: the keyring (ids, the current one, key check values; never a key).
 * `codec retire-check <keyId>`: whether the key may leave PAYLOAD_KEYS: not the current key, and no history Temporal
 * still holds carries a payload under it (codec/key-usage.ts). Exit 0: it may go; 3: it may not (what holds it is printed).
 */
registerCommand(
  'codec',
  group({
    name: 'codec',
    description: 'the payload keys: the keyring, and whether a key may be retired',
    subCommands: {
      keys: reportLeaf({
        name: 'keys',
        description: 'the keyring of PAYLOAD_KEYS: ids, the current key, key check values (never a key)',
        report: async () => {
          const { encryptionCodecFromEnv } = await import('../../codec/encryption.js');
          const keyring = encryptionCodecFromEnv().keyring();
          const line = (k: (typeof keyring)[number]) =>
            `${k.keyId.padEnd(24)} ${k.current ? 'current (new payloads)' : 'decodes older payloads'}  check ${k.check}`;
          return { data: keyring, text: keyring.map(line).join('\n') };
        },
      }),
      'retire-check': leaf({
        name: 'retire-check',
        description: 'whether a key may leave PAYLOAD_KEYS (exit 0) or is still needed by a retained history (exit 3)',
        args: { keyId: { type: 'positional', description: 'the key id', valueHint: 'keyId' }, ...JSON_FLAG },
        run: async ({ args }) => {
          const keyId = str(args, 'keyId');
          const { encryptionCodecFromEnv } = await import('../../codec/encryption.js');
          const keyring = encryptionCodecFromEnv().keyring();
          const print = (data: unknown, text: string) => console.log(args.json ? JSON.stringify(data, null, 2) : text);
          const key = keyring.find((k) => k.keyId === keyId);
          if (!keyId || !key)
            throw new UsageError(
              `codec retire-check: key id "${keyId ?? ''}" is not in PAYLOAD_KEYS (${keyring.map((k) => k.keyId).join(', ')})`,
            );
          if (key.current) {
            print(
              { keyId, retirable: false, reason: 'current' },
              `${keyId} is the current key: put a new key first in PAYLOAD_KEYS, then retire this one once its histories are gone`,
            );
            return 3;
          }
          const { Client, Connection } = await import('@temporalio/client');
          const { loadConfig } = await import('../../config/index.js');
          const { keyUsage } = await import('../../codec/key-usage.js');
          const { temporal } = loadConfig(process.env, ['temporal']);
          const connection = await Connection.connect({
            address: temporal.address,
            tls: temporal.tls,
            apiKey: temporal.apiKey,
          });
          try {
            const usage = await keyUsage(new Client({ connection, namespace: temporal.namespace }), keyId);
            const retirable = usage.workflows.length === 0 && !usage.truncated;
            const lines = usage.workflows
              .slice(0, 50)
              .map((w) => `  ${w.workflowId} (${w.status}, ${w.payloads} payloads)`);
            print(
              { ...usage, retirable },
              retirable
                ? `${keyId}: no history of the ${usage.scanned} Temporal holds in ${temporal.namespace} uses it; it may leave PAYLOAD_KEYS`
                : [
                    `${keyId}: still needed by ${usage.workflows.length} of ${usage.scanned} retained histories${usage.truncated ? ' (scan stopped early)' : ''}; keep it until they close and pass the namespace's retention`,
                    ...lines,
                  ].join('\n'),
            );
            return retirable ? 0 : 3;
          } finally {
            await connection.close();
          }
        },
      }),
    },
  }),
);
