// Deterministic demo certificates and relief, consistent with hr's demo holders: elderly certificates for people
// of 60 and over, disability and veteran certificates for a few, some expired or revoked so every status shows.
import { asc, gt } from 'drizzle-orm';
import { holders } from '../subgraphs/hr/tables.js';
import { bulkLoad, into } from './bulk-load/index.js';
import type { Database } from '../core/database.js';
import { pad, seededRandom } from './random.js';
import { NIL_UUID, readAhead, readerIn, seedProgress, type SeedRunOptions } from './seeding.js';
import { chinaDate } from '../subgraphs/kit/time.js';
import { certificates, reliefEntitlements } from '../subgraphs/civil-affairs/tables.js';

/** hr holders read per batch. */
const CHUNK = 5_000;

export async function seedCivilAffairs(database: Database, options: SeedRunOptions): Promise<void> {
  const { db } = database;
  const log = options.log ?? (() => {});
  if ((await db.select({ id: certificates.id }).from(certificates).limit(1)).length > 0) {
    log('civil-affairs: certificates already present, demo data left as it is');
    return;
  }
  const today = chinaDate(new Date());
  const year = Number(today.slice(0, 4));
  // One transaction, as in hr: an interrupted seed leaves nothing behind, and is redone on the next start.
  await db.transaction(async (tx) => {
    const hrDb = readerIn(database, options, tx)('hr');
    const progress = seedProgress(options, 'civil-affairs', 'holders', await hrDb.$count(holders));
    const written = { holders: 0, certificates: 0, relief: 0 };
    type Holder = { id: string; birthDate: string; city: string };
    const batches = readAhead(async (previous: Holder[] | undefined) => {
      const batch = await hrDb
        .select({ id: holders.id, birthDate: holders.birthDate, city: holders.registeredCity })
        .from(holders)
        .where(gt(holders.id, previous?.at(-1)!.id ?? NIL_UUID))
        .orderBy(asc(holders.id))
        .limit(CHUNK);
      return batch.length > 0 ? batch : undefined;
    });
    await bulkLoad(tx, [certificates, reliefEntitlements], async (write) => {
      for await (const batch of batches) {
        const certificateRows: (typeof certificates.$inferInsert)[] = [];
        const reliefRows: (typeof reliefEntitlements.$inferInsert)[] = [];
        for (const holder of batch) {
          // Each holder draws from a sequence of their own, every draw every time: who turns 60 this year changes
          // nothing for anyone else, so the demo data (and the README's example) stay put from year to year.
          const random = seededRandom(Number.parseInt(holder.id.slice(0, 8), 16));
          const [elderlyRoll, kindRoll, level, expiredRoll, termYears, reliefRoll, reliefKindRoll, amount] = [
            10, 100, 4, 4, 5, 100, 5, 500,
          ].map((n) => random(n)) as [number, number, number, number, number, number, number, number];
          const dates = [0, 1].map(() => ({
            back: random(8),
            month: random(12) + 1,
            day: random(28) + 1,
            endMonth: random(12) + 1,
          }));
          const age = year - Number(holder.birthDate.slice(0, 4));
          const issue = (
            kind: 'ELDERLY' | 'DISABILITY' | 'VETERAN',
            slot: 0 | 1,
            extra: Partial<typeof certificates.$inferInsert> = {},
          ) => {
            const d = dates[slot]!;
            const validFrom = `${year - 1 - d.back}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
            certificateRows.push({
              certificateNumber: `GD${kind[0]}-${holder.id.slice(0, 13)}`,
              holderId: holder.id,
              kind,
              issuer: holder.city,
              validFrom,
              // Given in every row, the column's default included (`extra` may revoke): a bulk insert defaults no single row.
              status: 'VALID',
              issuedAt: new Date(`${validFrom}T02:00:00Z`),
              ...extra,
            });
          };
          if (age >= 60 && elderlyRoll < 8) issue('ELDERLY', 0);
          // Disability and veteran certificates run for a term; one in four here has already run out (full fare).
          const term = {
            validUntil:
              expiredRoll === 0 ? `${year - 1}-${pad(dates[1]!.endMonth, 2)}-01` : `${year + 1 + termYears}-12-31`,
          };
          if (kindRoll < 4) issue('DISABILITY', 1, { disabilityLevel: 1 + level, ...term });
          else if (kindRoll < 6) issue('VETERAN', 1, term);
          else if (kindRoll === 6)
            issue('DISABILITY', 1, {
              disabilityLevel: 2,
              status: 'REVOKED',
              revokedAt: new Date(),
              revocationReason: '复核不符合条件',
            });
          if (reliefRoll < 5) {
            reliefRows.push({
              holderId: holder.id,
              kind: reliefKindRoll === 0 ? 'EXTREME_POVERTY_SUPPORT' : 'MINIMUM_LIVING_ALLOWANCE',
              monthlyAmount: `${1000 + amount}.00`,
              periodStart: `${year}-01-01`,
              periodEnd: `${year}-12-31`,
              city: holder.city,
              grantedAt: new Date(Date.UTC(year - 1, 11, 15)),
            });
          }
        }
        await write([into(certificates, certificateRows), into(reliefEntitlements, reliefRows)]);
        written.holders += batch.length;
        written.certificates += certificateRows.length;
        written.relief += reliefRows.length;
        await progress.advance(written.holders);
      }
    });
    progress.finish(`${written.certificates} certificates, ${written.relief} relief entitlements`);
  });
}
