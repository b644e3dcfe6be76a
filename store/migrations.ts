// The gateway's own database (schema `gateway`): where it is and how it is migrated. It is opened like a
// subgraph's (readDatabaseConfig('gateway'): GATEWAY_DATABASE_URL, else DATABASE_URL, else embedded PGlite).
import { fileURLToPath } from 'node:url';
import type { Database } from '../core/database.js';

/** Its name for configuration (GATEWAY_DATABASE_URL), drizzle-kit (DRIZZLE_DOMAIN) and migration history. */
export const GATEWAY_STORE = 'gateway';

export const GATEWAY_MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations/gateway/', import.meta.url));

export function migrateGatewayDatabase(database: Database): Promise<void> {
  return database.migrate(GATEWAY_STORE, GATEWAY_MIGRATIONS_FOLDER);
}
