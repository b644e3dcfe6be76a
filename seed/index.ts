// Each department's demo data, by subgraph name. The hub seeds them in the manifest's order (schema/manifest.ts):
// a department's data reads that of the departments before it (rides only on cards with the transit function,
// concessions only with a valid certificate). Seeding lives apart from the subgraphs, so a running subgraph loads
// none of it, and it is the one place allowed to read several departments' tables.
import type { SubgraphName } from '../schema/manifest.js';
import { seedCatalog } from './catalog.js';
import { seedCivilAffairs } from './civil-affairs.js';
import { seedCultureTourism } from './culture-tourism.js';
import { seedHealth } from './health.js';
import { seedHr } from './hr.js';
import { seedPublicSecurity } from './public-security.js';
import type { SeedDepartment } from './seeding.js';
import { seedTransport } from './transport.js';

/** Governance owns no tables: it has nothing to seed. */
export const SEEDS: Partial<Record<SubgraphName, SeedDepartment>> = {
  hr: seedHr,
  health: seedHealth,
  'civil-affairs': seedCivilAffairs,
  transport: seedTransport,
  'culture-tourism': seedCultureTourism,
  'public-security': seedPublicSecurity,
  catalog: seedCatalog,
};
