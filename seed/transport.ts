// Deterministic demo transit data consistent with hr and civil affairs: the transit function only on issued cards,
// rides only on cards that carry it, and a concession only where a certificate was valid on the ride's day.
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { certificates } from '../subgraphs/civil-affairs/tables.js';
import { cards, holders } from '../subgraphs/hr/tables.js';
import { bulkLoad, into } from './bulk-load/index.js';
import type { Database } from '../core/database.js';
import { seededRandom, seededUuid } from './random.js';
import { NIL_UUID, readAhead, readerIn, seedProgress, type SeedRunOptions } from './seeding.js';
import { chinaDate } from '../subgraphs/kit/time.js';
import { decideRide, type ConcessionCertificate } from '../subgraphs/transport/ride-policy.js';
import { rides, transitFunctions, type RideMode } from '../subgraphs/transport/tables.js';

/** hr cards read per batch, and their rides built (small, as in hr). */
const CHUNK = 1_000;
const OPERATORS: Record<string, string> = { '440100': '羊城通', '440300': '深圳通' };
const MODES: [RideMode, number, number][] = [
  // mode, share in percent, full fare in fen
  ['BUS', 45, 200],
  ['METRO', 35, 500],
  ['FERRY', 5, 300],
  ['HIGH_SPEED_RAIL', 10, 7450],
  ['FLIGHT', 5, 98000],
];

function pickMode(roll: number): [RideMode, number] {
  let acc = 0;
  for (const [mode, share, fare] of MODES) if (roll < (acc += share)) return [mode, fare];
  return ['BUS', 200];
}

export async function seedTransport(database: Database, options: SeedRunOptions): Promise<void> {
  const { db } = database;
  const log = options.log ?? (() => {});
  if ((await db.select({ id: transitFunctions.id }).from(transitFunctions).limit(1)).length > 0) {
    log('transport: transit functions already present, demo data left as it is');
    return;
  }
  const random = seededRandom(20241103);
  const now = Date.now();
  // One transaction, as in hr: an interrupted seed leaves nothing behind, and is redone on the next start.
  await db.transaction(async (tx) => {
    const read = readerIn(database, options, tx);
    const hrDb = read('hr');
    // Every valid certificate at once (a few per ten holders): one read instead of one per batch of cards.
    const held = await read('civil-affairs')
      .select({
        holderId: certificates.holderId,
        kind: certificates.kind,
        disabilityLevel: certificates.disabilityLevel,
        validFrom: certificates.validFrom,
        validUntil: certificates.validUntil,
      })
      .from(certificates)
      .where(eq(certificates.status, 'VALID'));
    const certificatesOf = new Map<string, typeof held>();
    for (const c of held) certificatesOf.set(c.holderId, [...(certificatesOf.get(c.holderId) ?? []), c]);
    const withTransit = and(eq(cards.kind, 'PHYSICAL'), inArray(cards.status, ['ACTIVE', 'LOST']));
    const progress = seedProgress(options, 'transport', 'cards', await hrDb.$count(cards, withTransit));
    const written = { cards: 0, functions: 0, rides: 0 };
    type Card = { id: string; cardNumber: string; holderId: string; city: string; createdAt: Date };
    const batches = readAhead(async (previous: Card[] | undefined) => {
      const batch = await hrDb
        .select({
          id: cards.id,
          cardNumber: cards.cardNumber,
          holderId: cards.holderId,
          city: holders.registeredCity,
          createdAt: cards.createdAt,
        })
        .from(cards)
        .innerJoin(holders, eq(holders.id, cards.holderId))
        .where(and(gt(cards.id, previous?.at(-1)!.id ?? NIL_UUID), withTransit))
        .orderBy(asc(cards.id))
        .limit(CHUNK);
      return batch.length > 0 ? batch : undefined;
    });
    await bulkLoad(tx, [transitFunctions, rides], async (write) => {
      for await (const batch of batches) {
        const functionRows: (typeof transitFunctions.$inferInsert)[] = [];
        const rideRows: (typeof rides.$inferInsert)[] = [];
        for (const card of batch) {
          if (random(10) >= 7) continue; // three in ten cards never get the transit function
          functionRows.push({
            cardNumber: card.cardNumber,
            holderId: card.holderId,
            city: card.city,
            operator: OPERATORS[card.city] ?? '岭南通',
            loadedAt: card.createdAt,
          });
          const certified = certificatesOf.get(card.holderId);
          for (let r = random(13); r > 0; r--) {
            const at = new Date(now - (1 + random(60 * 24 * 60)) * 60_000);
            // Only certificates depend on the day, and most holders hold none: no day worked out for them.
            const day = certified ? chinaDate(at) : '';
            const [mode, fullFare] = pickMode(random(100));
            const valid: ConcessionCertificate[] = (certified ?? []).filter(
              (c) => c.validFrom <= day && (c.validUntil === null || c.validUntil >= day),
            );
            const decision = decideRide({
              cardStatus: 'ACTIVE',
              transitLoaded: true,
              certificates: valid,
              mode,
              today: day,
            });
            const fen = Math.round((fullFare * (100 - decision.discountPercent)) / 100);
            rideRows.push({
              id: seededUuid(random),
              holderId: card.holderId,
              cardNumber: card.cardNumber,
              mode,
              city: random(6) === 0 ? '440300' : card.city,
              line: `${mode === 'METRO' ? '地铁' : ''}${1 + random(30)}号线`,
              station: `站点${1 + random(60)}`,
              occurredAt: at,
              fare: (fen / 100).toFixed(2),
              concession: decision.concession,
            });
          }
        }
        await write([into(transitFunctions, functionRows), into(rides, rideRows)]);
        written.cards += batch.length;
        written.functions += functionRows.length;
        written.rides += rideRows.length;
        await progress.advance(written.cards);
      }
    });
    progress.finish(`${written.functions} transit functions, ${written.rides} rides`);
  });
}
