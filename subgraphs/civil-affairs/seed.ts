// Deterministic demo certificates and relief, consistent with hr's demo holders: elderly certificates for people
// of 60 and over, disability and veteran certificates for a few, some expired or revoked so every status shows.
import { asc, gt } from 'drizzle-orm';
import { holders } from '../hr/tables.js';
import { CITY_CODES } from '../shared/cities.js';
import type { Database } from '../shared/database.js';
import { pad, seededRandom } from '../shared/random.js';
import type { SeedOptions } from '../shared/subgraph.js';
import { chinaDate } from '../shared/time.js';
import { certificates, reliefEntitlements } from './tables.js';

const CHUNK = 2_000;

export async function seedCivilAffairs(database: Database, options: SeedOptions): Promise<void> {
  const { db } = database;
  const log = options.log ?? (() => {});
  if ((await db.select({ id: certificates.id }).from(certificates).limit(1)).length > 0) {
    log('civil-affairs: certificates already present, demo data left as it is');
    return;
  }
  const hrDb = (options.databaseOf ?? (() => database))('hr').db;
  const random = seededRandom(20241102);
  const today = chinaDate(new Date());
  const year = Number(today.slice(0, 4));
  let after = '00000000-0000-0000-0000-000000000000';
  let serial = 0;
  let total = 0;
  for (;;) {
    const batch = await hrDb.select({ id: holders.id, birthDate: holders.birthDate, city: holders.registeredCity })
      .from(holders).where(gt(holders.id, after)).orderBy(asc(holders.id)).limit(CHUNK);
    if (batch.length === 0) break;
    after = batch.at(-1)!.id;
    const certificateRows: (typeof certificates.$inferInsert)[] = [];
    const reliefRows: (typeof reliefEntitlements.$inferInsert)[] = [];
    for (const holder of batch) {
      const age = year - Number(holder.birthDate.slice(0, 4));
      const issue = (kind: 'ELDERLY' | 'DISABILITY' | 'VETERAN', extra: Partial<typeof certificates.$inferInsert> = {}) => {
        serial++;
        const validFrom = `${year - 1 - random(8)}-${pad(random(12) + 1, 2)}-${pad(random(28) + 1, 2)}`;
        certificateRows.push({
          certificateNumber: `GD${kind[0]}${pad(serial, 9)}`, holderId: holder.id, kind, issuer: holder.city, validFrom,
          issuedAt: new Date(`${validFrom}T02:00:00Z`), ...extra,
        });
      };
      if (age >= 60 && random(10) < 8) issue('ELDERLY');
      const roll = random(100);
      // Disability and veteran certificates run for a term; one in four here has already run out (full fare).
      const term = () => ({ validUntil: random(4) === 0 ? `${year - 1}-${pad(random(12) + 1, 2)}-01` : `${year + 1 + random(5)}-12-31` });
      if (roll < 4) issue('DISABILITY', { disabilityLevel: 1 + random(4), ...term() });
      else if (roll < 6) issue('VETERAN', term());
      else if (roll === 6) issue('DISABILITY', { disabilityLevel: 2, status: 'REVOKED', revokedAt: new Date(), revocationReason: '复核不符合条件' });
      if (random(100) < 5) {
        reliefRows.push({
          holderId: holder.id, kind: random(5) === 0 ? 'EXTREME_POVERTY_SUPPORT' : 'MINIMUM_LIVING_ALLOWANCE',
          monthlyAmount: `${1000 + random(500)}.00`, periodStart: `${year}-01-01`, periodEnd: `${year}-12-31`,
          city: CITY_CODES.includes(holder.city as never) ? holder.city : CITY_CODES[0]!, grantedAt: new Date(Date.UTC(year - 1, 11, 15)),
        });
      }
    }
    await db.transaction(async (tx) => {
      if (certificateRows.length) await tx.insert(certificates).values(certificateRows);
      if (reliefRows.length) await tx.insert(reliefEntitlements).values(reliefRows);
    });
    total += batch.length;
    log(`civil-affairs: ${total} holders considered, ${serial} certificates`);
  }
}
