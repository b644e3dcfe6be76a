// What an operator does to the register: list it, suspend a client, let it back in. Each change is announced on
// ClientChanges once committed, so every gateway's in-memory register re-reads the client within a second.
import type { Db } from '../../core/database.js';
import type { ClientStatus } from './client.js';
import { RESYNC_INTERVAL_MS, type ClientChanges } from './changes.js';
import { selectClients, updateClientStatus, type ClientRecord } from './repository.js';

export type { ClientRecord } from './repository.js';

/** A command refused for a reason the operator can act on; its message is meant to be shown as it is. */
export class ClientCommandError extends Error {
  override name = 'ClientCommandError';
}

/** Every client, by id, with why and since when it has its status. */
export function listClients(db: Db): Promise<ClientRecord[]> {
  return selectClients(db);
}

/**
 * Suspends (SUSPENDED) or re-admits (ACTIVE) a client and announces it. A suspension needs a reason; an
 * activation may give one (else the suspension's reason is cleared). Pass the database, not a transaction: the
 * announcement must follow the commit, or an instance hearing it early would re-read the old row.
 */
export async function setClientStatus(
  db: Db,
  changes: ClientChanges,
  clientId: string,
  status: ClientStatus,
  reason: string | null,
): Promise<ClientRecord> {
  const why = reason?.trim() || null;
  if (status === 'SUSPENDED' && !why)
    throw new ClientCommandError(`Suspending ${clientId} needs a reason (e.g. the ticket behind it)`);
  const record = await updateClientStatus(db, clientId, status, why);
  if (!record) throw new ClientCommandError(`No client "${clientId}" in the register`);
  // Committed either way: a failed announcement is no reason to report the change as failed. The gateways'
  // periodic re-read picks it up.
  await changes.publish(clientId).catch((error: unknown) => {
    console.error(
      `client ${clientId} is ${status} in the database, but announcing it failed (${error instanceof Error ? error.message : error}); ` +
        `gateways apply it at their next full re-read, within ${RESYNC_INTERVAL_MS / 1000} s`,
    );
  });
  return record;
}
