import { readFile, writeFile } from 'node:fs/promises';
import type { Actor } from '../console/auth.js';
import { ConsoleError } from '../console/audit.js';
import type { InboxItem } from '../console/inbox.js';
import type { JournalService } from '../console/journal-service.js';
import type { ConsoleService } from '../console/service.js';
import { formatTimeLeft } from '../domain/incident-deadlines.js';
import { reconciliationCommand, type ReconciliationDay } from './reconciliation.js';

/**
 * The console's actions as CLI commands. Each returns what it prints: `data` for --json, `text` for people,
 * and an exit code when the command itself decides one (a verification that found tampering).
 */
export interface CommandResult {
  data: unknown;
  text: string;
  exitCode?: number;
}

/** The console's actions the CLI uses: the console's API answers them (cli/console-remote.ts). */
export type ConsoleActions = Pick<
  ConsoleService,
  | 'inbox'
  | 'item'
  | 'assign'
  | 'retrySubmission'
  | 'resubmitSubmission'
  | 'approveResubmission'
  | 'refuseResubmission'
  | 'recordWrittenNotice'
  | 'decideReview'
  | 'openIncident'
  | 'amendIncident'
  | 'submitIncident'
  | 'closeIncident'
  | 'runReconciliation'
  | 'reconciliationDay'
>;
export type JournalActions = Pick<JournalService, 'entries' | 'verify' | 'head' | 'availability' | 'exportCsv'>;

export interface CommandContext {
  /** The signed-in user as the console knows them (GET /api/me). */
  actor: Actor;
  service: ConsoleActions;
  journal: JournalActions;
  positionals: string[];
  flags: Record<string, string | boolean | undefined>;
}

export const USAGE = `usage: npm run cli -- <command> [options] [--json]

  list <incidents|submissions|reviews|reconciliation> [--status S] [--counterpart C] [--bettor IIN|ref] [--from D] [--to D] [--mine]
  show <incidents|submissions|reviews|reconciliation> <id>
  assign <inbox> <id> [--to login]
  retry <submissionId>
  resubmit <submissionId> --file corrected.json    (an amount or date changed: waits for a second officer)
  resubmission <submissionId> approve|refuse [--note text]
                                                  (a second officer's decision on a held correction)
  notice <submissionId> --reference R --date YYYY-MM-DD --reason TEXT --scan letter.pdf|.jpg|.png
                                                  (AFM's written notice: the submission becomes REJECTED)
  review <bettorId> approve|refuse [--note text]
  incident open --file card.json [--id ID]        (a draft needs name and detectedAt with its UTC offset)
  incident amend <id> --file patch.json
  incident submit <id>
  incident close <id> [--note text]
  journal verify [--anchor head.json]
  journal head
  journal export (--day YYYY-MM-DD | --from D --to D | --whole) [--out file.csv]
  journal list [--record ID] [--actor login] [--event prefix] [--day D]
  availability
  reconcile run --day YYYY-MM-DD [--csv]        (reconciles the Almaty day now against ESU, Nomapay and AFM)
  reconcile show --day YYYY-MM-DD [--csv]       (the day's result; exit 8 while differences are open)
  reconcile schedule                            (on the server: creates the daily 06:00 Almaty Schedule, once)
  login [--console URL]          (signs in through the console; the password from stdin or a prompt without echo)
  whoami                         (the user, role and token expiry the console sees)
  logout                         (revokes the token and deletes it)
  console hash-password          (reads the password from stdin; prints a CONSOLE_USERS secret)
  codec keys                     (PAYLOAD_KEYS: ids, the current one, key check values)
  codec retire-check KEY_ID      (exit 0 when no history Temporal still holds uses the key; 3 when one does)
  api new-key NAME [SCOPES]      (a new bookmaker API key and its API_KEYS entry; SCOPES like deposits:write+bets:write, default *)

Console actions are calls of the console's API with the token of esu-bridge login (or ESU_BRIDGE_CONSOLE_TOKEN and
ESU_BRIDGE_CONSOLE_URL): the console decides who acts and with which role, and journals every command.
Exit codes: 0 done · 1 unexpected failure · 2 usage or invalid input · 3 refused by a rule · 4 not found ·
5 not signed in or not allowed · 6 not available yet · 7 the journal verification found tampering ·
8 the reconciled day has open differences.`;

export class UsageError extends Error {}

async function jsonFile(path: string | boolean | undefined): Promise<unknown> {
  if (typeof path !== 'string') throw new UsageError('--file <path> is required');
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new ConsoleError('INVALID', `${path}: ${(err as Error).message}`);
  }
}

function table(items: InboxItem[]): string {
  if (!items.length) return 'nothing here';
  const rows = items.map((i) => [
    i.dueAt ? formatTimeLeft(Date.parse(i.dueAt), Date.now()) : '',
    i.id,
    i.status,
    i.counterpart ?? '',
    i.assignee ?? '',
    [...i.flags, i.title].join(' '),
  ]);
  const widths = [0, 1, 2, 3, 4].map((c) =>
    Math.max(...rows.map((r) => r[c]!.length), ['LEFT', 'ID', 'STATUS', 'COUNTERPART', 'ASSIGNEE'][c]!.length),
  );
  const line = (r: string[]) => r.map((cell, c) => (c < 5 ? cell.padEnd(widths[c]!) : cell)).join('  ');
  return [line(['LEFT', 'ID', 'STATUS', 'COUNTERPART', 'ASSIGNEE', 'ITEM']), ...rows.map(line)].join('\n');
}

const brief = (state: { incidentId?: string; status?: string; problems?: string[] } | unknown) => {
  const s = state as { incidentId?: string; status?: string; problems?: string[]; dueAt?: string };
  return `${s.incidentId ?? ''} ${s.status ?? ''}${s.dueAt ? `, due ${s.dueAt}` : ''}${s.problems?.length ? `\nstill missing: ${s.problems.join('; ')}` : ''}`.trim();
};

export async function runCommand({
  actor,
  service,
  journal,
  positionals,
  flags,
}: CommandContext): Promise<CommandResult> {
  const [command, a, b] = positionals;
  const str = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  switch (command) {
    case 'list': {
      const page = await service.inbox(actor, a ?? '', {
        status: str('status'),
        counterpart: str('counterpart'),
        bettor: str('bettor'),
        from: str('from'),
        to: str('to'),
        assignee: flags.mine ? actor.login : undefined,
      });
      return {
        data: page,
        text: page.notice ? `not available yet: ${page.notice}` : table(page.items),
        exitCode: page.notice ? 6 : 0,
      };
    }
    case 'show': {
      const item = await service.item(actor, a ?? '', b ?? '');
      return { data: item, text: JSON.stringify(item, null, 2) };
    }
    case 'assign': {
      const item = await service.assign(actor, a ?? '', b ?? '', str('to') ?? actor.login);
      return { data: item, text: `${item.id} assigned to ${item.assignee}` };
    }
    case 'retry': {
      const out = (await service.retrySubmission(actor, a ?? '')) as {
        status?: string;
        receipt?: { messageId: string };
      };
      return {
        data: out,
        text: `retry of ${a} sent through its workflow: now ${out.status ?? 'unknown'}${out.receipt ? `, receipt ${out.receipt.messageId}` : ''}`,
      };
    }
    case 'resubmit': {
      // The file holds the corrected payload as `show` prints it: {"counterpart": "AFM", "record": {…}}.
      const out = (await service.resubmitSubmission(actor, a ?? '', await jsonFile(flags.file))) as {
        status?: string;
        correctedBy?: { submissionId: string };
        approval?: { changes: { field: string; old: unknown; new: unknown }[] };
      };
      if (out.status === 'AWAITING_APPROVAL') {
        const changes = (out.approval?.changes ?? []).map(
          (c) => `  ${c.field.replace(/^payload\.record\./, '')}: ${JSON.stringify(c.old)} → ${JSON.stringify(c.new)}`,
        );
        return {
          data: out,
          text: [
            `correction of ${a} held for a second officer's approval (resubmission ${a} approve|refuse):`,
            ...changes,
          ].join('\n'),
        };
      }
      return {
        data: out,
        text: `corrected ${a} resubmitted through its workflow as ${out.correctedBy?.submissionId ?? '(unknown)'}`,
      };
    }
    case 'resubmission': {
      if (b !== 'approve' && b !== 'refuse')
        throw new UsageError('resubmission <submissionId> approve|refuse [--note text]');
      const body = str('note') ? { note: str('note') } : {};
      if (b === 'refuse') {
        const out = await service.refuseResubmission(actor, a ?? '', body);
        return { data: out, text: `correction of ${a} by ${out.requestedBy} refused; ${a} stays REJECTED` };
      }
      const out = (await service.approveResubmission(actor, a ?? '', body)) as {
        correctedBy?: { submissionId: string };
      };
      return {
        data: out,
        text: `correction of ${a} approved and resubmitted through its workflow as ${out.correctedBy?.submissionId ?? '(unknown)'}`,
      };
    }
    case 'notice': {
      const scanPath = str('scan');
      if (!scanPath) throw new UsageError('--scan <file> is required (PDF, JPEG or PNG)');
      let bytes: Buffer;
      try {
        bytes = await readFile(scanPath);
      } catch (err) {
        throw new ConsoleError('INVALID', `${scanPath}: ${(err as Error).message}`);
      }
      const mediaType = /\.pdf$/i.test(scanPath)
        ? 'application/pdf'
        : /\.png$/i.test(scanPath)
          ? 'image/png'
          : /\.jpe?g$/i.test(scanPath)
            ? 'image/jpeg'
            : undefined;
      if (!mediaType) throw new UsageError('--scan must name a .pdf, .jpg, .jpeg or .png file');
      const request = {
        afmReference: str('reference') ?? '',
        noticeDate: str('date') ?? '',
        reason: str('reason') ?? '',
        scan: { mediaType, contentBase64: bytes.toString('base64') },
      };
      const out = (await service.recordWrittenNotice(actor, a ?? '', request)) as {
        status?: string;
        officerDueAt?: string;
      };
      return {
        data: out,
        text: `AFM notice ${request.afmReference} recorded on ${a}: now ${out.status ?? 'unknown'}${out.officerDueAt ? `, correction due by ${out.officerDueAt}` : ''}`,
      };
    }
    case 'review': {
      if (b !== 'approve' && b !== 'refuse') throw new UsageError('review <bettorId> approve|refuse');
      const out = await service.decideReview(actor, a ?? '', { approved: b === 'approve', note: str('note') });
      return { data: out, text: `review of ${a}: ${b}d` };
    }
    case 'incident':
      return incident(actor, service, a, b, flags);
    case 'reconcile': {
      return reconciliationCommand(
        {
          run: (day) => service.runReconciliation(actor, day),
          show: async (day) => (await service.reconciliationDay(actor, day)) as ReconciliationDay,
        },
        a,
        flags,
      );
    }
    case 'journal':
      return journalCommand(actor, journal, a, flags);
    case 'availability': {
      const report = await journal.availability(actor);
      const text = report.counterparts
        .map(
          (c) =>
            `${c.counterpart.padEnd(8)} ${['24h', '7d', '30d'].map((p) => `${p}: ${c.periods[p as '24h'].indexPercent?.toFixed(3) ?? '—'} %`).join('  ')}${c.ongoingOutageSince ? `  DOWN since ${c.ongoingOutageSince}` : ''}`,
        )
        .join('\n');
      return { data: report, text };
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'a command is required');
  }
}

async function incident(
  actor: Actor,
  service: ConsoleActions,
  sub: string | undefined,
  id: string | undefined,
  flags: CommandContext['flags'],
): Promise<CommandResult> {
  switch (sub) {
    case 'open': {
      const opened = await service.openIncident(actor, {
        incidentId: typeof flags.id === 'string' ? flags.id : undefined,
        card: await jsonFile(flags.file),
      });
      return { data: opened, text: `${opened.joined ? 'joined' : 'opened'} ${brief(opened.state)}` };
    }
    case 'amend': {
      const state = await service.amendIncident(actor, id ?? '', await jsonFile(flags.file));
      return { data: state, text: `amended: ${brief(state)}` };
    }
    case 'submit': {
      const state = await service.submitIncident(actor, id ?? '');
      return { data: state, text: `submitted: ${brief(state)}` };
    }
    case 'close': {
      const state = await service.closeIncident(
        actor,
        id ?? '',
        typeof flags.note === 'string' ? flags.note : undefined,
      );
      return { data: state, text: `closed: ${brief(state)}` };
    }
    default:
      throw new UsageError('incident open|amend|submit|close');
  }
}

async function journalCommand(
  actor: Actor,
  journal: JournalActions,
  sub: string | undefined,
  flags: CommandContext['flags'],
): Promise<CommandResult> {
  switch (sub) {
    case 'verify': {
      const anchor = typeof flags.anchor === 'string' ? await jsonFile(flags.anchor) : undefined;
      const report = await journal.verify(actor, { anchor });
      const sealed = report.seals.latest
        ? `; sealed at entry ${report.seals.latest.seq} (${report.seals.checked} seals checked${anchor ? ', and the anchor' : ''})`
        : '';
      const text = report.ok
        ? `journal intact: ${report.checked} entries, head ${report.head.seq} ${report.head.hash}${sealed}`
        : [
            `TAMPERING FOUND (${report.problems.length}):`,
            ...report.problems.map((p) => `  ${p.kind} at ${p.seq}: ${p.message}`),
          ].join('\n');
      return { data: report, text, exitCode: report.ok ? 0 : 7 };
    }
    case 'export': {
      const range =
        typeof flags.day === 'string'
          ? { day: flags.day }
          : flags.from || flags.to
            ? { from: flags.from, to: flags.to }
            : flags.whole
              ? { whole: true }
              : undefined;
      if (!range) throw new UsageError('journal export needs --day, --from/--to or --whole');
      const chunks: string[] = [];
      const rows = await journal.exportCsv(actor, range, (chunk) => void chunks.push(chunk));
      const out = typeof flags.out === 'string' ? flags.out : undefined;
      if (!out) return { data: { rows }, text: chunks.join('').trimEnd() };
      await writeFile(out, chunks.join(''));
      // The sealed head beside the export: kept with it, it lets a later verification find entries removed since.
      const head = await journal.head(actor);
      await writeFile(`${out}.head.json`, JSON.stringify(head, null, 2) + '\n');
      return {
        data: { rows, out, head },
        text: `${rows} entries written to ${out}; sealed head (entry ${head.seq}) in ${out}.head.json`,
      };
    }
    case 'head': {
      const head = await journal.head(actor);
      return { data: head, text: JSON.stringify(head, null, 2) };
    }
    case 'list': {
      const entries = await journal.entries(actor, {
        recordId: flags.record,
        actor: flags.actor,
        event: flags.event,
        day: flags.day,
      });
      return {
        data: entries,
        text: entries
          .map(
            (e) => `${e.seq}\t${e.startedAt}\t${e.event}\t${e.actor}\t${String(e.details.recordId ?? '')}\t${e.result}`,
          )
          .join('\n'),
      };
    }
    default:
      throw new UsageError('journal verify|export|head|list');
  }
}
