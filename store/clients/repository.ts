// All SQL on gateway.clients: the register reads through here, the commands write through here.
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../core/database.js';
import type { Client, ClientStatus } from './client.js';
import { clients, type ClientRow } from '../tables.js';

/** A register entry with its bookkeeping: what an operator listing the register wants to see. */
export interface ClientRecord extends Client {
  statusReason: string | null;
  statusChangedAt: Date;
}

function toRecord(row: ClientRow): ClientRecord {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    city: row.city,
    domain: row.domain,
    purposes: row.purposes,
    status: row.status,
    requestsPerMinute: row.requestsPerMinute,
    introspection: row.introspection,
    statusReason: row.statusReason,
    statusChangedAt: row.statusChangedAt,
  };
}

/** Every client, by id. */
export async function selectClients(db: Db): Promise<ClientRecord[]> {
  return (await db.select().from(clients).orderBy(asc(clients.id))).map(toRecord);
}

export async function selectClient(db: Db, id: string): Promise<ClientRecord | undefined> {
  const [row] = await db.select().from(clients).where(eq(clients.id, id));
  return row && toRecord(row);
}

/**
 * Sets a client's status; `status_changed_at` moves only when the status does (a second suspension with a new
 * reason keeps the time the client was first cut off). Undefined when no such client exists.
 */
export async function updateClientStatus(
  db: Db,
  id: string,
  status: ClientStatus,
  reason: string | null,
): Promise<ClientRecord | undefined> {
  const [row] = await db
    .update(clients)
    .set({
      status,
      statusReason: reason,
      statusChangedAt: sql`case when ${clients.status} = ${status} then ${clients.statusChangedAt} else now() end`,
      updatedAt: sql`now()`,
    })
    .where(eq(clients.id, id))
    .returning();
  return row && toRecord(row);
}
