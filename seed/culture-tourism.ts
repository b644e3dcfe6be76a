// Deterministic demo data for culture and tourism, consistent with the other departments' demo data: the venue
// register, then admissions and library loans on hr's ACTIVE cards only, mostly in the holder's own city and
// some elsewhere (Art 4), with a concession only where civil affairs holds a certificate valid that day.
// Times fall in the year before the day the seed runs; everything else is the same on every machine.
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { certificates } from '../subgraphs/civil-affairs/tables.js';
import { cards, holders } from '../subgraphs/hr/tables.js';
import { bulkLoad, into } from './bulk-load/index.js';
import { rowsOf, type Database, type Db } from '../core/database.js';
import { seededRandom, seededUuid } from './random.js';
import type { RandomInt } from '../subgraphs/kit/random.js';
import { NIL_UUID, readAhead, readerIn, seedProgress, type SeedRunOptions } from './seeding.js';
import { chinaDate } from '../subgraphs/kit/time.js';
import { DEMO_VENUES } from './culture-tourism-venues.js';
import * as repo from '../subgraphs/culture-tourism/repository.js';
import {
  admissions,
  libraryLoans,
  type AdmissionRow,
  type Concession,
  type LibraryLoanRow,
  type VenueRow,
} from '../subgraphs/culture-tourism/tables.js';

/** hr cards read per batch, and their admissions and loans built (small, as in hr). */
const CHUNK = 1_000;
const DAY_MS = 86_400_000;
const LOAN_DAYS = 30;
const TITLES = [
  '红楼梦',
  '三国演义',
  '西游记',
  '水浒传',
  '围城',
  '平凡的世界',
  '活着',
  '边城',
  '骆驼祥子',
  '呐喊',
  '白鹿原',
  '文化苦旅',
  '岭南文化十讲',
  '广东通史',
];
// When a holder has several certificates, the one a gate would honour first.
const CONCESSION_ORDER: Concession[] = ['DISABILITY', 'VETERAN', 'ELDERLY'];

interface Certificate {
  kind: Exclude<Concession, 'NONE'>;
  validFrom: string;
  validUntil: string | null;
}

/**
 * Every valid certificate by holder (a few per ten holders), read from civil affairs' database in one go; null
 * when civil affairs is not part of this hub or its tables are not there, and then no admission gets a concession.
 */
async function readCertificates(
  options: SeedRunOptions,
  read: (subgraph: string) => Db,
): Promise<Map<string, Certificate[]> | null> {
  let db: Db;
  try {
    if (!options.databaseOf) return null;
    // Throws when civil-affairs is not among this hub's subgraphs.
    db = read('civil-affairs');
  } catch {
    return null;
  }
  const [found] = await rowsOf<{ table: string | null }>(
    db,
    sql`select to_regclass('civil_affairs.certificates')::text as "table"`,
  );
  if (!found?.table) return null;
  const rows = await db
    .select({
      holderId: certificates.holderId,
      kind: certificates.kind,
      validFrom: certificates.validFrom,
      validUntil: certificates.validUntil,
    })
    .from(certificates)
    .where(eq(certificates.status, 'VALID'));
  const byHolder = new Map<string, Certificate[]>();
  for (const { holderId, ...certificate } of rows)
    byHolder.set(holderId, [...(byHolder.get(holderId) ?? []), certificate]);
  return byHolder;
}

function concessionOn(held: Certificate[] | undefined, instant: Date): Concession {
  if (!held) return 'NONE'; // most holders hold none: no day to work out
  const day = chinaDate(instant);
  const valid = held.filter((c) => c.validFrom <= day && (c.validUntil === null || c.validUntil >= day));
  return CONCESSION_ORDER.find((kind) => valid.some((c) => c.kind === kind)) ?? 'NONE';
}

/** A time within opening hours (09:00 to 17:00 Guangdong time) on one of the `days` days before `end`. */
function openingTime(random: RandomInt, end: number, days: number): Date {
  const dayStart = end - (1 + random(days)) * DAY_MS;
  return new Date(dayStart + (60 + random(480)) * 60_000);
}

export async function seedCultureTourism(database: Database, options: SeedRunOptions): Promise<void> {
  const { db } = database;
  const log = options.log ?? (() => {});
  if (await repo.hasVenues(db)) {
    log('culture-tourism: venues already present, demo data left as it is');
    return;
  }
  const random = seededRandom(20241105);
  const now = new Date();
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const venues: VenueRow[] = DEMO_VENUES.map((v) => ({
    id: seededUuid(random),
    ...v,
    createdAt: new Date('2024-11-01T00:00:00Z'),
  }));
  const inCity = (city: string, pick: (v: VenueRow) => boolean = () => true) =>
    venues.filter((v) => v.city === city && pick(v));
  const libraries = venues.filter((v) => v.kind === 'LIBRARY');
  // One transaction, as in hr: an interrupted seed leaves nothing behind, and is redone on the next start.
  await db.transaction(async (tx) => {
    await repo.insertVenues(tx, venues);
    log(`culture-tourism: ${venues.length} venues in ${new Set(venues.map((v) => v.city)).size} cities`);
    const read = readerIn(database, options, tx);
    const hrDb = read('hr');
    const certificatesOf = await readCertificates(options, read);
    if (!certificatesOf) log('culture-tourism: no civil-affairs certificates to read, so no concessions');
    const progress = seedProgress(
      options,
      'culture-tourism',
      'cards',
      await hrDb.$count(cards, eq(cards.status, 'ACTIVE')),
    );
    let item = 0;
    const totals = { cards: 0, admissions: 0, loans: 0 };
    type Card = { id: string; cardNumber: string; holderId: string; city: string };
    // Keyset over hr's cards in id order: the same cards in the same order on every run, at any size.
    const batches = readAhead(async (previous: Card[] | undefined) => {
      const batch = await hrDb
        .select({ id: cards.id, cardNumber: cards.cardNumber, holderId: cards.holderId, city: holders.registeredCity })
        .from(cards)
        .innerJoin(holders, eq(holders.id, cards.holderId))
        .where(and(eq(cards.status, 'ACTIVE'), gt(cards.id, previous?.at(-1)!.id ?? NIL_UUID)))
        .orderBy(asc(cards.id))
        .limit(CHUNK);
      return batch.length > 0 ? batch : undefined;
    });
    const held = certificatesOf ?? new Map<string, Certificate[]>();
    await bulkLoad(tx, [admissions, libraryLoans], async (write) => {
      for await (const batch of batches) {
        const admissionRows: AdmissionRow[] = [];
        const loanRows: LibraryLoanRow[] = [];
        for (const card of batch) {
          const home = inCity(card.city);
          for (let n = random(4); n > 0; n--) {
            // One visit in five is to another city, on the same terms as at home (Art 4).
            const venue =
              random(5) === 0 || home.length === 0 ? venues[random(venues.length)]! : home[random(home.length)]!;
            const admittedAt = openingTime(random, end, 365);
            admissionRows.push({
              id: seededUuid(random),
              holderId: card.holderId,
              cardNumber: card.cardNumber,
              venueId: venue.id,
              admittedAt,
              concession: concessionOn(held.get(card.holderId), admittedAt),
              city: venue.city,
              recordedAt: admittedAt,
            });
          }
          if (random(4) === 0) {
            const nearby = inCity(card.city, (v) => v.kind === 'LIBRARY');
            for (let n = 1 + random(2); n > 0; n--) {
              const library = nearby.length > 0 ? nearby[random(nearby.length)]! : libraries[random(libraries.length)]!;
              const borrowedAt = openingTime(random, end, 365);
              // Back after 3 to 42 days, some of them late; a loan whose return day has not come yet is still out.
              const back = borrowedAt.getTime() + (3 + random(40)) * DAY_MS;
              loanRows.push({
                id: seededUuid(random),
                holderId: card.holderId,
                cardNumber: card.cardNumber,
                venueId: library.id,
                itemId: `BC${String(++item).padStart(9, '0')}`,
                title: TITLES[random(TITLES.length)]!,
                borrowedAt,
                dueAt: new Date(borrowedAt.getTime() + LOAN_DAYS * DAY_MS),
                returnedAt: back <= now.getTime() ? new Date(back) : null,
              });
            }
          }
        }
        await write([into(admissions, admissionRows), into(libraryLoans, loanRows)]);
        totals.cards += batch.length;
        totals.admissions += admissionRows.length;
        totals.loans += loanRows.length;
        await progress.advance(totals.cards);
      }
    });
    progress.finish(`${totals.admissions} admissions, ${totals.loans} library loans`);
  });
}
