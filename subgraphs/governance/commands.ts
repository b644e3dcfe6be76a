// Emergency handling (Art 17): governance cuts a client off, or lets it back in, through the register's own
// command (store/clients/commands.ts), which announces the change so every gateway applies it within a second.
import { ClientCommandError, setClientStatus, type ClientRecord } from '../../store/clients/commands.js';
import type { ClientChanges } from '../../store/clients/changes.js';
import type { ClientStatus } from '../../store/clients/client.js';
import type { Db } from '../../core/database.js';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import type { CallerClaims } from '../../core/protocol/gateway-proof.js';
import { quote, readText } from '../kit/text.js';

export interface GovernanceDeps {
  db: Db;
  /** Where status changes are announced: Redis when REDIS_URL is set, else the gateways in this process. */
  changes: ClientChanges;
}

const CLIENT_ID = /^[a-z0-9-]{2,64}$/;

/** Sets a client's status for the governance caller; the reason is recorded on the register entry. */
export async function changeClientStatus(
  deps: GovernanceDeps,
  caller: CallerClaims,
  input: { clientId: string; reason: string },
  status: ClientStatus,
): Promise<ClientRecord> {
  const clientId = input.clientId.trim();
  if (!CLIENT_ID.test(clientId))
    throw badInput(`clientId ${quote(input.clientId)} is not a client id (e.g. city-440100)`, 'clientId');
  const reason = readText(input.reason, 'reason', 500);
  // Governance locking itself out would leave only the command line to undo it.
  if (status === 'SUSPENDED' && clientId === caller.client)
    throw badInput('A client cannot suspend itself', 'clientId');
  try {
    return await setClientStatus(deps.db, deps.changes, clientId, status, reason);
  } catch (error) {
    // The register's refusals are an unknown client (a reason is always given here).
    if (error instanceof ClientCommandError)
      throw hubError(ErrorCode.NOT_FOUND, `No client ${quote(clientId)} in the register`);
    throw error;
  }
}
