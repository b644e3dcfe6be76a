// Deterministic demo transit data consistent with hr and civil affairs: the transit function only on issued cards,
// rides only on cards that carry it, and a concession only where a certificate was valid on the ride's day.
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { certificates } from '../civil-affairs/tables.js';
import { cards, holders } from '../hr/tables.js';
import type { Database } from '../shared/database.js';
import { seededRandom, seededUuid } from '../shared/random.js';
import type { SeedOptions } from '../shared/subgraph.js';
import { chinaDate } from '../shared/time.js';
import { decideRide, type ConcessionCertificate } from './ride-policy.js';
import { rides, transitFunctions, type RideMode } from './tables.js';

const CHUNK = 2_000;
const OPERATORS: Record<string, string> = { '440100': '羊城通', '440300': '深圳通' };
const MODES: [RideMode, number, number][] = [
  // mode, share in percent, full fare in fen
  ['BUS', 45, 200], ['METRO', 35, 500], ['FERRY', 5, 300], ['HIGH_SPEED_RAIL', 10, 7450], ['FLIGHT', 5, 98000],
];

function pickMode(roll: number): [RideMode, number] {
  let acc = 0;
  for (const [mode, share, fare] of MODES) if (roll < (acc += share)) return [mode, fare];
  return ['BUS', 200];
}

export async function seedTransport(database: Database, options: SeedOptions): Promise<void> {
  const { db } = database;
  const log = options.log ?? (() => {});
  if ((await db.select({ id: transitFunctions.id }).from(transitFunctions).limit(1)).length > 0) {
    log('transport: transit functions already present, demo data left as it is');
    return;
  }
  const of = options.databaseOf ?? (() => database);
  const hrDb = of('hr').db;
  const civilDb = of('civil-affairs').db;
  const random = seededRandom(20241103);
  const now = Date.now();
  let after = '00000000-0000-0000-0000-000000000000';
  let loaded = 0;
  let rideCount = 0;
  for (;;) {
    const batch = await hrDb.select({ id: cards.id, cardNumber: cards.cardNumber, holderId: cards.holderId, city: holders.registeredCity, createdAt: cards.createdAt })
      .from(cards).innerJoin(holders, eq(holders.id, cards.holderId))
      .where(and(gt(cards.id, after), eq(cards.kind, 'PHYSICAL'), inArray(cards.status, ['ACTIVE', 'LOST'])))
      .orderBy(asc(cards.id)).limit(CHUNK);
    if (batch.length === 0) break;
    after = batch.at(-1)!.id;
    const held = await civilDb.select().from(certificates).where(and(inArray(certificates.holderId, batch.map((c) => c.holderId)), eq(certificates.status, 'VALID')));
    const certificatesOf = new Map<string, typeof held>();
    for (const c of held) certificatesOf.set(c.holderId, [...(certificatesOf.get(c.holderId) ?? []), c]);

    const functionRows: (typeof transitFunctions.$inferInsert)[] = [];
    const rideRows: (typeof rides.$inferInsert)[] = [];
    for (const card of batch) {
      if (random(10) >= 7) continue; // three in ten cards never get the transit function
      functionRows.push({ cardNumber: card.cardNumber, holderId: card.holderId, city: card.city, operator: OPERATORS[card.city] ?? '岭南通', loadedAt: card.createdAt });
      for (let r = random(13); r > 0; r--) {
        const at = new Date(now - (1 + random(60 * 24 * 60)) * 60_000);
        const day = chinaDate(at);
        const [mode, fullFare] = pickMode(random(100));
        const valid: ConcessionCertificate[] = (certificatesOf.get(card.holderId) ?? [])
          .filter((c) => c.validFrom <= day && (c.validUntil === null || c.validUntil >= day));
        const decision = decideRide({ cardStatus: 'ACTIVE', transitLoaded: true, certificates: valid, mode, today: day });
        const fen = Math.round((fullFare * (100 - decision.discountPercent)) / 100);
        rideRows.push({
          id: seededUuid(random), holderId: card.holderId, cardNumber: card.cardNumber, mode,
          city: random(6) === 0 ? '440300' : card.city, line: `${mode === 'METRO' ? '地铁' : ''}${1 + random(30)}号线`, station: `站点${1 + random(60)}`,
          occurredAt: at, fare: (fen / 100).toFixed(2), concession: decision.concession,
        });
      }
    }
    await db.transaction(async (tx) => {
      if (functionRows.length) await tx.insert(transitFunctions).values(functionRows);
      for (let i = 0; i < rideRows.length; i += 2_000) await tx.insert(rides).values(rideRows.slice(i, i + 2_000));
    });
    loaded += functionRows.length;
    rideCount += rideRows.length;
    log(`transport: ${loaded} transit functions, ${rideCount} rides`);
  }
}
