// "Client X changed": how a suspension made by one process (the CLI, another gateway) reaches every gateway's
// in-memory register within a second. Redis pub/sub when REDIS_URL is set; otherwise a bus in this process, which
// every gateway started in it (the tests start several) hears. The message carries only the client id: each
// listener reads the client afresh from the database, so a lost or reordered message cannot leave stale data.
import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { KEY_PREFIX } from '../../core/shared-state.js';

/** How often every gateway re-reads the whole register, catching any announcement that was lost. */
export const RESYNC_INTERVAL_MS = 30_000;

export const CLIENT_CHANGES_CHANNEL = `${KEY_PREFIX}clients`;

export interface ClientChanges {
  /** Announces that a client's register entry changed; call after the change is committed. */
  publish(clientId: string): Promise<void>;
  /**
   * Calls `listener` with the id of every client announced from now on; returns the unsubscribe function.
   * `onListening` is called whenever listening starts after a gap in which announcements were missed (Redis:
   * once the first SUBSCRIBE is confirmed, and after every reconnection), so the subscriber can re-read
   * everything; the in-process bus has no gaps and never calls it.
   */
  subscribe(listener: (clientId: string) => void, onListening?: () => void): () => void;
  close(): Promise<void>;
}

export function openClientChanges(redisUrl: string | undefined): ClientChanges {
  return redisUrl ? redisChanges(redisUrl) : inProcessChanges();
}

/** Calls each listener on its own: one that throws must not keep the others from hearing. */
function deliver(listeners: Iterable<(clientId: string) => void>, clientId: string) {
  for (const listener of listeners) {
    try {
      listener(clientId);
    } catch (error) {
      console.error('client changes: listener failed:', error);
    }
  }
}

const bus = new EventEmitter().setMaxListeners(0);

function inProcessChanges(): ClientChanges {
  const listeners = new Set<(clientId: string) => void>();
  const onMessage = (clientId: string) => deliver(listeners, clientId);
  bus.on('change', onMessage);
  return {
    async publish(clientId) {
      bus.emit('change', clientId);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      bus.off('change', onMessage);
    },
  };
}

/** Logs the first error of an outage and the recovery, not every failed reconnection attempt. */
function watchConnection(redis: Redis, role: string) {
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) console.error(`client changes: redis ${role} connection failed:`, error.message);
    down = true;
  });
  redis.on('ready', () => {
    if (down) console.error(`client changes: redis ${role} connection restored`);
    down = false;
  });
}

function redisChanges(redisUrl: string): ClientChanges {
  // A publish that cannot reach Redis fails quickly: the caller has committed and may say so.
  const publisher = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  watchConnection(publisher, 'publisher');
  const listeners = new Set<(clientId: string) => void>();
  const listeningHandlers = new Set<() => void>();
  let listening = false;
  let closed = false;
  // A connection in subscriber mode may send nothing else, so it is a second connection, opened on the first
  // subscribe (the CLI only publishes). ioredis reconnects it forever; it subscribes on every `ready` itself
  // (rather than autoResubscribe) so as to know when it listens again and tell the subscribers, who re-read what
  // they may have missed meanwhile.
  let subscriber: Redis | undefined;
  const openSubscriber = () => {
    const connection = new Redis(redisUrl, {
      maxRetriesPerRequest: null,
      autoResubscribe: false,
      connectTimeout: 2_000,
    });
    watchConnection(connection, 'subscriber');
    connection.on('message', (channel: string, clientId: string) => {
      if (channel === CLIENT_CHANGES_CHANNEL) deliver(listeners, clientId);
    });
    connection.on('ready', () => {
      connection.subscribe(CLIENT_CHANGES_CHANNEL).then(
        () => {
          listening = true;
          for (const handler of listeningHandlers) handler();
        },
        // The connection dropped before the reply: its next `ready` subscribes again.
        (error: unknown) => {
          if (!closed)
            console.error('client changes: subscribe failed:', error instanceof Error ? error.message : error);
        },
      );
    });
    connection.on('close', () => {
      listening = false;
    });
    return connection;
  };
  return {
    async publish(clientId) {
      await publisher.publish(CLIENT_CHANGES_CHANNEL, clientId);
    },
    subscribe(listener, onListening) {
      subscriber ??= openSubscriber();
      listeners.add(listener);
      // Always a fresh function, so that the same one subscribed twice is removed once per unsubscribe.
      const handler = () => {
        try {
          onListening?.();
        } catch (error) {
          console.error('client changes: listener failed:', error);
        }
      };
      if (onListening) {
        listeningHandlers.add(handler);
        // Subscribing to a channel already listening: the gap is already over.
        if (listening) queueMicrotask(handler);
      }
      return () => {
        listeners.delete(listener);
        listeningHandlers.delete(handler);
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      listeningHandlers.clear();
      subscriber?.disconnect();
      publisher.disconnect();
    },
  };
}
