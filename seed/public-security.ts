// Deterministic demo licences, consistent with hr's demo holders: the ID card's term for every resident ID holder
// (5, 10 or 20 years by their age when it was issued, long-term from 46), and a driving licence for about half the
// adults, a few of them suspended, revoked or expired so every status shows.
import { asc, gt } from 'drizzle-orm';
import { holders } from '../subgraphs/hr/tables.js';
import { licences } from '../subgraphs/public-security/tables.js';
import { chinaDate } from '../subgraphs/kit/time.js';
import type { Database } from '../core/database.js';
import { bulkLoad, into } from './bulk-load/index.js';
import { pad, seededRandom } from './random.js';
import { NIL_UUID, readAhead, readerIn, seedProgress, type SeedRunOptions } from './seeding.js';

/** hr holders read per batch. */
const CHUNK = 5_000;
const CLASSES = ['C1', 'C1', 'C1', 'C1', 'C2', 'C1E', 'B2', 'A2D', 'A1', 'D'];

const years = (day: string, n: number) => `${Number(day.slice(0, 4)) + n}${day.slice(4)}`;

export async function seedPublicSecurity(database: Database, options: SeedRunOptions): Promise<void> {
  const { db } = database;
  const log = options.log ?? (() => {});
  if ((await db.select({ id: licences.id }).from(licences).limit(1)).length > 0) {
    log('public-security: licences already present, demo data left as it is');
    return;
  }
  const year = Number(chinaDate(new Date()).slice(0, 4));
  // One transaction, as in hr: an interrupted seed leaves nothing behind, and is redone on the next start.
  await db.transaction(async (tx) => {
    const hrDb = readerIn(database, options, tx)('hr');
    const progress = seedProgress(options, 'public-security', 'holders', await hrDb.$count(holders));
    const written = { holders: 0, licences: 0 };
    type Holder = { id: string; idType: string; birthDate: string; city: string };
    const batches = readAhead(async (previous: Holder[] | undefined) => {
      const batch = await hrDb
        .select({ id: holders.id, idType: holders.idType, birthDate: holders.birthDate, city: holders.registeredCity })
        .from(holders)
        .where(gt(holders.id, previous?.at(-1)!.id ?? NIL_UUID))
        .orderBy(asc(holders.id))
        .limit(CHUNK);
      return batch.length > 0 ? batch : undefined;
    });
    await bulkLoad(tx, [licences], async (write) => {
      for await (const batch of batches) {
        const rows: (typeof licences.$inferInsert)[] = [];
        for (const [i, holder] of batch.entries()) {
          // Each holder draws from a sequence of their own (and not civil affairs': another salt), every draw every
          // time, so one holder's data never shifts another's and the README's example stays put.
          const random = seededRandom(Number.parseInt(holder.id.slice(0, 8), 16) ^ 0x5eed0b51);
          const [idBack, drivingRoll, classRoll, drivingBack, statusRoll, points, month, day] = [
            4,
            100,
            CLASSES.length,
            9,
            20,
            7,
            12,
            28,
          ].map((n) => random(n)) as [number, number, number, number, number, number, number, number];
          const birthYear = Number(holder.birthDate.slice(0, 4));
          const monthDay = `${pad(month + 1, 2)}-${pad(day + 1, 2)}`;
          const stamp = (validFrom: string) => ({
            recordedAt: new Date(`${validFrom}T02:00:00Z`),
            updatedAt: new Date(`${validFrom}T02:00:00Z`),
          });
          if (holder.idType === 'RESIDENT_ID') {
            // The current card, issued in one of the last 4 years: within even the shortest term, so it holds today.
            const validFrom = `${Math.max(year - 1 - idBack, birthYear)}-${monthDay}`;
            const age = Number(validFrom.slice(0, 4)) - birthYear;
            const term = age < 16 ? 5 : age <= 25 ? 10 : age <= 45 ? 20 : null;
            const validUntil = term === null ? null : years(validFrom, term);
            rows.push({
              holderId: holder.id,
              kind: 'RESIDENT_ID_CARD',
              validFrom,
              validUntil,
              status: 'VALID',
              ...stamp(validFrom),
            });
          }
          if (year - birthYear >= 25 && drivingRoll < 50) {
            // A 10-year term begun in one of the last 9 years; one in twenty a first 6-year term run out unrenewed.
            const expired = statusRoll === 0;
            const validFrom = `${year - (expired ? 7 : 1 + drivingBack)}-${monthDay}`;
            const status = statusRoll === 1 ? 'SUSPENDED' : statusRoll === 2 ? 'REVOKED' : 'VALID';
            rows.push({
              holderId: holder.id,
              kind: 'DRIVING_LICENCE',
              // Unique within the seed: the issuing city's first four digits and the holder's place in id order.
              licenceNumber: `${holder.city.slice(0, 4)}${pad(written.holders + i + 1, 8)}`,
              vehicleClass: CLASSES[classRoll]!,
              issuer: holder.city,
              validFrom,
              validUntil: years(validFrom, expired ? 6 : 10),
              status,
              points: status === 'REVOKED' ? 12 : points,
              statusReason: status === 'SUSPENDED' ? '饮酒后驾驶' : status === 'REVOKED' ? '醉酒驾驶' : null,
              statusChangedAt: status === 'VALID' ? null : new Date(Date.UTC(year - 1, 5, 1)),
              ...stamp(validFrom),
            });
          }
        }
        await write([into(licences, rows)]);
        written.holders += batch.length;
        written.licences += rows.length;
        await progress.advance(written.holders);
      }
    });
    progress.finish(`${written.licences} licences`);
  });
}
