import { IncidentCardMessage, INCIDENT_CARDS_PATH, type IncidentCardAck } from '../domain/wire/incident.js';
import type { SignerTrust } from '../crypto/signer.js';
import { mutation, requireKeyIs, type Route } from './http.js';
import { requireSignedBy } from './signatures.js';

/**
 * The incident-card intake of the e-money operator (Nomapay) and of ЦМААИ (ESU), as a simulator: it checks
 * the card's 16 rows with the same schema the workflow uses, checks the sender's signature, and answers with
 * an acknowledgement whose message id is the proof of delivery (the e-government integration rules §47). The idempotency of
 * `startCounterpartServer` replays the stored acknowledgement for a repeated message id.
 */
interface SimulatorParts {
  routes: Route[];
  adminRoutes: Route[];
  reset(): void;
}

export interface IncidentIntakeOptions {
  /** The bookmaker's registered certificate and its CA. Defaults to SIM_SIGNER_CERTIFICATE_PATH / SIM_SIGNER_CA_PATH. */
  trust?: SignerTrust;
  now?: () => Date;
}

export function createIncidentIntake({ trust, now = () => new Date() }: IncidentIntakeOptions = {}) {
  const received = new Map<string, { message: IncidentCardMessage; ack: IncidentCardAck }>();
  const routes: Route[] = [
    mutation(INCIDENT_CARDS_PATH, IncidentCardMessage, (message, { body, idempotencyKey, applied }) => {
      requireKeyIs('messageId', idempotencyKey, message.messageId);
      requireSignedBy(body as Record<string, unknown>, trust);
      const ack: IncidentCardAck = {
        messageId: message.messageId,
        status: 'ACCEPTED',
        acceptedAt: now().toISOString(),
      };
      received.set(message.messageId, { message, ack });
      applied(message.messageId);
      return { status: 202, body: ack };
    }),
  ];
  const adminRoutes: Route[] = [
    {
      method: 'GET',
      path: '/__admin/incident-cards',
      handle: () => ({ status: 200, body: [...received.values()].map((r) => r.message) }),
    },
  ];
  return { routes, adminRoutes, reset: () => received.clear() };
}

/** Adds the intake to both simulated receivers. */
export function attachIncidentIntake(
  esu: SimulatorParts,
  nomapay: SimulatorParts,
  options: IncidentIntakeOptions = {},
): void {
  const trust = options.trust;
  for (const parts of [esu, nomapay]) {
    const intake = createIncidentIntake({ ...options, trust });
    parts.routes.push(...intake.routes);
    parts.adminRoutes.push(...intake.adminRoutes);
    const reset = parts.reset;
    parts.reset = () => (reset(), intake.reset());
  }
}
