// drizzle-kit generates one migration stream per domain (migrations/<domain>), so each department's
// database carries only its own schema. `npm run db:generate` runs this once per domain; the gateway's own
// tables (DRIZZLE_DOMAIN=gateway) are a domain too.
import { defineConfig } from 'drizzle-kit';

const domain = process.env.DRIZZLE_DOMAIN;
if (!domain)
  throw new Error(
    'Configuration error in DRIZZLE_DOMAIN: name the subgraph (or gateway) to generate for (npm run db:generate does)',
  );

export default defineConfig({
  dialect: 'postgresql',
  schema: domain === 'gateway' ? './store/tables.ts' : `./subgraphs/${domain}/tables.ts`,
  out: `./migrations/${domain}`,
});
