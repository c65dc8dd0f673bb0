import { z } from 'zod';
import { safeText } from './text.js';
import { IsoDateTime } from './wire/common.js';

/**
 * The information-security incident card of National Bank resolution No. 116 (Annex 2 to R202 = Annex 7 to R215): 16 rows in three
 * groups — general information (1–5), content (6–12), measures taken (13–16). One card per incident (p.65).
 * The duty to file with the National Bank is the e-money operator's; esu-bridge fills the same card and
 * delivers it to the operator (Nomapay) and to ЦМААИ so that nobody downstream misses their 48 hours.
 */

/** Row 7, the reportable kinds of p.65(1)–(6). G9: one value for "unauthorised transfer" of money or e-money. */
export const IncidentKind = z.enum([
  'VULNERABILITY_EXPLOITED',
  'UNAUTHORISED_ACCESS',
  'DENIAL_OF_SERVICE',
  'MALWARE',
  'UNAUTHORISED_TRANSFER',
  'STABILITY_THREAT',
]);
export type IncidentKind = z.infer<typeof IncidentKind>;

/** Row 4: who told us. */
export const InformationSource = z.enum([
  'USER',
  'ADMINISTRATOR',
  'SECURITY_ADMINISTRATOR',
  'SECURITY_STAFF',
  'TECHNICAL_MEANS',
]);
/** Row 5: the form's examples, plus OTHER with a description. */
export const AttackMethod = z.enum(['SOCIAL_ENGINEERING', 'MALICIOUS_CODE', 'OTHER']);
/** Row 8, the levels of the information infrastructure (G10: "нақты" read as the physical level). */
export const AssetLevel = z.enum([
  'PHYSICAL',
  'NETWORK_EQUIPMENT',
  'NETWORK_APPLICATIONS_AND_SERVICES',
  'OPERATING_SYSTEM',
  'PROCESSES_AND_APPLICATIONS',
  'BUSINESS_PROCESSES',
]);
/** Row 9. */
export const IncidentCardStatus = z.enum(['COMPLETED', 'ATTEMPT', 'SUSPICION']);
/** Row 12. */
export const Intent = z.enum(['DELIBERATE', 'ERROR']);
/** Row 13, the form's examples. */
export const ActionTaken = z.enum(['IDENTIFY_VULNERABILITY', 'ISOLATE', 'RESTORE']);

/** A row of the card: trimmed, never empty; short rows are one line, long ones may break lines. */
const row = (max: number, multiline: boolean) =>
  z
    .string()
    .check(safeText({ multiline }))
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);
const Line = (max: number) => row(max, false);
const Paragraphs = (max: number) => row(max, true);

/**
 * Row 2: "dd.mm.yyyy hh:mm, UTC+X". Kept as the ISO instant with the offset actually used (G18: do not assume
 * +06 or +05), so the card renders the local time the detector saw and the deadline counts from the instant.
 */
export const DetectedAt = IsoDateTime.refine((s) => /(Z|[+-]\d{2}:\d{2})$/.test(s), 'must carry its UTC offset');

/** Clock difference tolerated between whoever writes the card and the server before a detection time is "in the future". */
export const DETECTION_CLOCK_SKEW_MS = 60_000;

/**
 * A detection time later than now cannot be true, and it would push the 48 hours (National Bank resolution No. 116,
 * p.65) out by as much: the problem to report on `detectedAt`, or undefined when it is not in the future.
 */
export function futureDetectionProblem(detectedAt: string, nowMs: number): string | undefined {
  const atMs = Date.parse(detectedAt);
  if (!(atMs > nowMs + DETECTION_CLOCK_SKEW_MS)) return undefined;
  return `must not be in the future (${detectedAt} is after now, ${new Date(nowMs).toISOString()}): the 48 hours count from when the incident was detected`;
}

/** Strict at every level: a row the form does not have is refused, naming it. */
export const IncidentCard = z.strictObject({
  /** 1 */ name: Line(200),
  /** 2 */ detectedAt: DetectedAt,
  /** 3 */ place: z.strictObject({ organisation: Line(200), branch: Line(200).optional(), segment: Line(200) }),
  /** 4 */ informationSource: InformationSource,
  /** 5 */ methods: z.array(AttackMethod).min(1, 'name at least one method (OTHER with a description if unknown)'),
  methodsDetail: Paragraphs(1000).optional(),
  /** 6 */ symptoms: Paragraphs(4000),
  /** 7 */ mainEvents: z.array(IncidentKind).min(1, 'name at least one of the six reportable kinds'),
  /** 8 */ affectedAssets: z.array(AssetLevel).min(1, 'name at least one affected level'),
  /** 9 */ status: IncidentCardStatus,
  /** 10: no unit in the form (G11): an amount in tiyn where known, and a description. */
  damage: z.strictObject({ amountTiyn: z.number().int().nonnegative().optional(), description: Paragraphs(2000) }),
  /** 11: identifiers found (IP addresses, accounts, hashes); an empty list says none were found. */
  threatSources: z.array(Line(200)),
  /** 12 */ intent: Intent,
  /** 13 */ actionsTaken: z.strictObject({
    actions: z.array(ActionTaken).min(1, 'name at least one action'),
    description: Paragraphs(4000).optional(),
  }),
  /** 14 */ plannedActions: Paragraphs(4000),
  /** 15: officials, state bodies and organisations told; an empty list says nobody yet. */
  personsNotified: z.array(
    z.strictObject({
      kind: z.enum(['OFFICIAL', 'STATE_BODY', 'ORGANISATION']),
      name: Line(200),
      position: Line(200).optional(),
    }),
  ),
  /** 16 */ specialists: z
    .array(z.strictObject({ fullName: Line(200), workplace: Line(200), position: Line(200) }))
    .min(1, 'name at least the responsible specialist'),
});
export type IncidentCard = z.infer<typeof IncidentCard>;

/** A card being filled in: everything may be missing except what starts the clock (name and detection time). */
export const IncidentCardDraft = IncidentCard.partial().required({ name: true, detectedAt: true });
export type IncidentCardDraft = z.infer<typeof IncidentCardDraft>;

/** An amendment: any row, each replacing the row it names. */
export const IncidentCardPatch = IncidentCard.partial();
export type IncidentCardPatch = z.infer<typeof IncidentCardPatch>;

/** Row number of each card field, for messages that name the missing row (National Bank resolution No. 116, item 55(3)). */
export const CARD_ROWS: Record<keyof IncidentCard, number> = {
  name: 1,
  detectedAt: 2,
  place: 3,
  informationSource: 4,
  methods: 5,
  methodsDetail: 5,
  symptoms: 6,
  mainEvents: 7,
  affectedAssets: 8,
  status: 9,
  damage: 10,
  threatSources: 11,
  intent: 12,
  actionsTaken: 13,
  plannedActions: 14,
  personsNotified: 15,
  specialists: 16,
};

/**
 * What stops a draft from being submitted, one line per problem, naming the row ("row 6 symptoms: required"):
 * the mandatory-field check of National Bank resolution No. 116, item 55(3). Empty when the card is complete.
 */
export function cardProblems(draft: unknown): string[] {
  const parsed = IncidentCard.safeParse(draft);
  if (parsed.success) return [];
  return parsed.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const at = issue.path.map(String);
      return issue.keys.map((key) => `${[...at, key].join('.')}: not a field of the card`);
    }
    const field = String(issue.path[0] ?? '(card)') as keyof IncidentCard;
    const where = issue.path.join('.');
    const row = CARD_ROWS[field];
    const absent = issue.path.length === 1 && (draft as Record<string, unknown> | undefined)?.[field] === undefined;
    const message = absent ? 'required' : issue.message;
    return row ? `row ${row} ${where}: ${message}` : `${where}: ${message}`;
  });
}

/** Applies an amendment: each row named in the patch replaces the draft's row. */
export function amendCard(draft: IncidentCardDraft, patch: IncidentCardPatch): IncidentCardDraft {
  const next: Record<string, unknown> = { ...draft };
  for (const [key, value] of Object.entries(patch)) if (value !== undefined) next[key] = value;
  return next as IncidentCardDraft;
}

/** The UTC offset written in an ISO date-time, in minutes east of UTC (`Z` is 0). */
export function offsetMinutes(iso: string): number {
  const match = /([+-])(\d{2}):(\d{2})$/.exec(iso);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/** Row 2 as the form writes it: `dd.mm.yyyy hh:mm UTC+X`, in the offset the detection was recorded with. */
export function formatCardDateTime(iso: string): string {
  const offset = offsetMinutes(iso);
  const local = new Date(Date.parse(iso) + offset * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const zone = `UTC${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${two(abs % 60)}` : ''}`;
  return `${two(local.getUTCDate())}.${two(local.getUTCMonth() + 1)}.${local.getUTCFullYear()} ${two(local.getUTCHours())}:${two(local.getUTCMinutes())} ${zone}`;
}

/** An instant written in a given offset (minutes east of UTC), e.g. for detectors that know only the instant. */
export function isoWithOffset(epochMs: number, offset: number): string {
  const local = new Date(epochMs + offset * 60_000).toISOString().slice(0, 23);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
