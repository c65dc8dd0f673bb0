import type { Pool } from '../db/pool.js';

/** An incident's state as its table keeps it whole (incidents.state); undefined when the incident is not known. */
export async function incidentSnapshot<State>(pool: Pool, incidentId: string): Promise<State | undefined> {
  const { rows } = await pool.query<{ state: State }>('SELECT state FROM incidents WHERE incident_id = $1', [
    incidentId,
  ]);
  return rows[0]?.state;
}
