import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import {
  CheckCounterpart,
  configuredSigners,
  configuredTestBettors,
  formatReport,
  runChecks,
  type CheckOptions,
} from './check.js';

/**
 * `check [--counterpart esu|nomapay|afm]... [--json]`: the ESU integration plan's checks (items 10, 12, 13) against
 * the endpoints the *_BASE_URL, *_API_KEY and *_TLS_* variables configure (client/check.ts). Writes the table, or the
 * report as JSON; answers the exit code: 0 only when every check passed (or does not apply), 1 when one did not,
 * 2 on a usage or configuration error. A function, so the project's one CLI can call it.
 */
export const CHECK_USAGE = 'usage: check [--counterpart esu|nomapay|afm]... [--json]';

export interface CheckCommandIo {
  env?: Record<string, string | undefined>;
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Passed on to runChecks (timeouts, thresholds). */
  options?: Pick<CheckOptions, 'timeoutMs' | 'certificateDays'>;
}

export async function checkCommand(argv: string[], io: CheckCommandIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const out = io.out ?? ((text) => console.log(text));
  const err = io.err ?? ((text) => console.error(text));
  let values: { counterpart?: string[]; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        counterpart: { type: 'string', multiple: true, short: 'c' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    err(`${(e as Error).message}\n${CHECK_USAGE}`);
    return 2;
  }
  if (values.help) {
    out(CHECK_USAGE);
    return 0;
  }
  const chosen = CheckCounterpart.array().safeParse(values.counterpart ?? CheckCounterpart.options);
  if (!chosen.success) {
    err(`--counterpart must be one of esu, nomapay, afm\n${CHECK_USAGE}`);
    return 2;
  }
  let report;
  try {
    report = await runChecks(loadConfig(env, ['counterparts']).counterparts, {
      ...io.options,
      counterparts: chosen.data,
      testBettors: configuredTestBettors(env),
      signers: configuredSigners(env),
    });
  } catch (e) {
    // Configuration errors name their variable (a certificate file that is missing, a malformed test bettor).
    if (e instanceof ReferenceError) {
      err(`esu-bridge check: ${e.message}`);
      return 2;
    }
    throw e;
  }
  out(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return report.passed ? 0 : 1;
}
