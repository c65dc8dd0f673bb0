import type { IncidentCard } from '../../domain/incident.js';

/** A complete, valid 16-row card; tests drop or change rows from it. */
export function completeCard(detectedAt: string, overrides: Partial<IncidentCard> = {}): IncidentCard {
  return {
    name: 'ESU API unreachable from the betting platform',
    detectedAt,
    place: { organisation: 'Bookmaker LLP', branch: 'Almaty data centre', segment: 'integration gateway' },
    informationSource: 'TECHNICAL_MEANS',
    methods: ['OTHER'],
    methodsDetail: 'volumetric traffic towards the gateway',
    symptoms: 'connection timeouts to ESU, 503 answers for 20 minutes',
    mainEvents: ['DENIAL_OF_SERVICE'],
    affectedAssets: ['NETWORK_APPLICATIONS_AND_SERVICES'],
    status: 'ATTEMPT',
    damage: { amountTiyn: 0, description: 'bets delayed, no money lost' },
    threatSources: ['203.0.113.7'],
    intent: 'DELIBERATE',
    actionsTaken: { actions: ['ISOLATE', 'RESTORE'], description: 'blocked the source range, restarted the gateway' },
    plannedActions: 'rate limiting at the edge; review with the hosting provider',
    personsNotified: [{ kind: 'ORGANISATION', name: 'Nomapay' }],
    specialists: [
      { fullName: 'Aigerim Sadykova', workplace: 'Bookmaker LLP', position: 'information security officer' },
    ],
    ...overrides,
  };
}

/** The two rows that start the clock; everything else still to fill in. */
export function draftCard(detectedAt: string, name = 'Suspicious logins to the back office') {
  return { name, detectedAt };
}
