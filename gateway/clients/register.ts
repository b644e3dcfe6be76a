// The client register as every request sees it: all of gateway.clients held in memory, so that looking up the
// caller costs no database round trip. A change announced on ClientChanges re-reads that client at once (a
// suspension takes effect on every instance within a second); a full re-read every 30 s catches any
// announcement that was lost (Redis away, a change made by hand in SQL).
import type { Db } from '../../core/database.js';
import type { Client } from '../../store/clients/client.js';
import { RESYNC_INTERVAL_MS, type ClientChanges } from '../../store/clients/changes.js';
import { selectClient, selectClients, type ClientRecord } from '../../store/clients/repository.js';
import { describeForLog } from '../../core/protocol/errors.js';

export interface ClientRegister {
  /** The client with this id as last read, suspended ones included (the caller decides); undefined if unknown. */
  get(id: string): Client | undefined;
  /** Re-reads one client, or with no id every client, from the database. */
  refresh(id?: string): Promise<void>;
  /** Stops listening and re-reading; waits for a read under way, so the database may be closed next. */
  close(): Promise<void>;
}

// Frozen: the same object serves every request, and a policy step changing it would change it for all.
function toClient(record: ClientRecord): Client {
  const { id, kind, name, city, domain, purposes, status, requestsPerMinute, introspection } = record;
  return Object.freeze({
    id,
    kind,
    name,
    city,
    domain,
    purposes: Object.freeze([...purposes]) as Client['purposes'],
    status,
    requestsPerMinute,
    introspection: introspection === true,
  });
}

/** Reads every client, then keeps them current until `close()`. Fails if the first read does. */
export async function openClientRegister(
  db: Db,
  changes: ClientChanges,
  options: { resyncMs?: number } = {},
): Promise<ClientRegister> {
  let clients = new Map<string, Client>();
  let closed = false;
  // One read at a time, in the order asked: a full re-read begun before a change cannot finish after the re-read
  // of the changed client and put the older row back.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (work: () => Promise<void>): Promise<void> => {
    const turn = queue.then(work);
    queue = turn.catch(() => {});
    return turn;
  };

  const readAll = async () => {
    clients = new Map((await selectClients(db)).map((record) => [record.id, toClient(record)]));
  };
  const readOne = async (id: string) => {
    const record = await selectClient(db, id);
    if (record) clients.set(id, toClient(record));
    else clients.delete(id);
  };
  const refresh = (id?: string): Promise<void> =>
    closed ? Promise.resolve() : enqueue(() => (id === undefined ? readAll() : readOne(id)));

  // Listening before the first read: a change announced while it runs is re-read after it, not missed. Once
  // Redis confirms the subscription (or after it reconnects), everything is read again: announcements made
  // before that were not heard.
  const unsubscribe = changes.subscribe(
    (id) => {
      refresh(id).catch((error: unknown) =>
        console.error(
          `client register: re-reading client ${id} failed; the next full re-read retries:`,
          describeForLog(error),
        ),
      );
    },
    () => {
      refresh().catch((error: unknown) =>
        console.error(
          'client register: re-reading after (re)subscribing failed; the periodic re-read retries:',
          describeForLog(error),
        ),
      );
    },
  );
  try {
    await refresh();
  } catch (error) {
    unsubscribe();
    throw error;
  }
  // unref: the safety net alone does not keep a process alive.
  const timer = setInterval(() => {
    refresh().catch((error: unknown) =>
      console.error('client register: periodic re-read failed; keeping the clients last read:', describeForLog(error)),
    );
  }, options.resyncMs ?? RESYNC_INTERVAL_MS);
  timer.unref();

  return {
    get: (id) => clients.get(id),
    refresh,
    async close() {
      closed = true;
      clearInterval(timer);
      unsubscribe();
      await queue;
    },
  };
}
