import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

/**
 * Custom search attributes registered on the Temporal namespace. Search attributes and memo are stored
 * unencrypted, so no personal data goes here: the bettor appears only as `BettorRef`, a keyed hash of
 * the IIN (see client/bettor-ref.ts).
 */
export const OperationKindKey = defineSearchAttributeKey('OperationKind', SearchAttributeType.KEYWORD);
export const OperationStatusKey = defineSearchAttributeKey('OperationStatus', SearchAttributeType.KEYWORD);
export const BettorRefKey = defineSearchAttributeKey('BettorRef', SearchAttributeType.KEYWORD);
export const AmountTiynKey = defineSearchAttributeKey('AmountTiyn', SearchAttributeType.INT);
export const SubmissionStatusKey = defineSearchAttributeKey('SubmissionStatus', SearchAttributeType.KEYWORD);
export const CounterpartKey = defineSearchAttributeKey('Counterpart', SearchAttributeType.KEYWORD);
export const IncidentStatusKey = defineSearchAttributeKey('IncidentStatus', SearchAttributeType.KEYWORD);

/** What ops filter a regulator submission by: one list for its starters and for the workflow's own upsert. */
export function submissionSearchAttributes(s: {
  counterpart: string;
  bettorRef: string;
  status: string;
}): SearchAttributePair[] {
  return [
    { key: OperationKindKey, value: 'SUBMISSION' },
    { key: CounterpartKey, value: s.counterpart },
    { key: BettorRefKey, value: s.bettorRef },
    { key: SubmissionStatusKey, value: s.status },
  ];
}

export const ALL_SEARCH_ATTRIBUTES = [
  OperationKindKey,
  OperationStatusKey,
  BettorRefKey,
  AmountTiynKey,
  SubmissionStatusKey,
  CounterpartKey,
  IncidentStatusKey,
];

/** `--search-attribute Name=Type` flags for `temporal server start-dev`. */
export function devServerSearchAttributeFlags(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int', TEXT: 'Text', BOOL: 'Bool' };
  return ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type]}`]);
}
