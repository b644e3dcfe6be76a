// Deterministic demo data for the HR domain: the same holders, cards and numbers on every machine, so the README's
// example query works everywhere. Holders are spread over all 21 cities; cards cover every status; some holders
// are Hong Kong, Macau or Taiwan residents or foreigners (Art 10).
import { bulkLoad, into } from './bulk-load/index.js';
import type { Database } from '../core/database.js';
import { CITY_CODES, PROVINCE_CODE } from '../subgraphs/kit/cities.js';
import { seedProgress, type SeedRunOptions } from './seeding.js';
import { chinaDate } from '../subgraphs/kit/time.js';
import { pad, seededRandom, seededUuid } from './random.js';
import type { RandomInt } from '../subgraphs/kit/random.js';
import { generateCardNumber, generateIdentificationCode } from '../subgraphs/hr/card-numbers.js';
import { expiryDate, lossLapseTime } from '../subgraphs/hr/card-rules.js';
import divisionCodeList from '../subgraphs/hr/division-codes.json' with { type: 'json' };
import { checkCharacter } from '../subgraphs/hr/identifiers.js';
import { countHolders } from '../subgraphs/hr/repository.js';
import { bankAccounts, banks, cardEvents, cards, holders, type IdType } from '../subgraphs/hr/tables.js';
import { addEFileRows, eFileBatches, emptyEFileRows, E_FILE_SEED_TABLES } from './hr-social-insurance.js';
import { seedViolations } from './hr-violations.js';

export const DEMO_BANKS = [
  { code: 'ICBC', name: '中国工商银行' },
  { code: 'ABC', name: '中国农业银行' },
  { code: 'BOC', name: '中国银行' },
  { code: 'CCB', name: '中国建设银行' },
  { code: 'BOCOM', name: '交通银行' },
  { code: 'PSBC', name: '中国邮政储蓄银行' },
  { code: 'CMB', name: '招商银行' },
  { code: 'GDRC', name: '广东农信' },
  { code: 'GZCB', name: '广州银行' },
  { code: 'CGB', name: '广发银行', agreementStatus: 'SUSPENDED' as const },
];

const SURNAMES = '陈李黄张梁林刘吴罗何郑杨谢郭邓许冯曾彭蔡';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华文辉玲志婷健丹';

/** County-level codes within each city, so a resident's ID number starts with a real district of their city. */
const DISTRICTS = new Map<string, string[]>(
  CITY_CODES.map((city) => {
    const inCity = divisionCodeList.filter((code) => code.startsWith(city.slice(0, 4)) && !code.endsWith('00'));
    return [city, inCity.length > 0 ? inCity : [city]];
  }),
);

function eighteen(prefix: string, birth: string, random: RandomInt, male: boolean): string {
  const sequence = pad(random(100), 2) + String(random(5) * 2 + (male ? 1 : 0));
  const first17 = prefix + birth.replace(/-/g, '') + sequence;
  return first17 + checkCharacter(first17);
}

function identity(
  i: number,
  city: string,
  birth: string,
  male: boolean,
  random: RandomInt,
): { idType: IdType; idNumber: string } {
  switch (i % 50) {
    case 7:
      return { idType: 'HK_MACAU_RESIDENCE_PERMIT', idNumber: eighteen('810000', birth, random, male) };
    case 17:
      return { idType: 'HK_MACAU_RESIDENCE_PERMIT', idNumber: eighteen('820000', birth, random, male) };
    case 27:
      return { idType: 'TAIWAN_RESIDENCE_PERMIT', idNumber: eighteen('830000', birth, random, male) };
    case 37:
      return { idType: 'HK_MACAU_TRAVEL_PERMIT', idNumber: `H${pad(random(1e8), 8)}${pad(random(100), 2)}` };
    case 41:
      return { idType: 'TAIWAN_TRAVEL_PERMIT', idNumber: pad(random(1e8), 8) };
    case 47:
      return {
        idType: 'FOREIGN_PERMANENT_RESIDENT',
        idNumber: eighteen(`944${pad(random(900) + 100, 3)}`, birth, random, male),
      };
    default: {
      const districts = DISTRICTS.get(city)!;
      return { idType: 'RESIDENT_ID', idNumber: eighteen(districts[random(districts.length)]!, birth, random, male) };
    }
  }
}

/** What each holder's card history looks like, by position: every status appears in every 20 holders. */
type Story = 'ACTIVE' | 'ACTIVE_WITH_ECARD' | 'APPLIED' | 'LOST_TEMPORARY' | 'LOST_FORMAL' | 'REPLACED' | 'CANCELLED';
function storyOf(i: number): Story {
  const n = i % 20;
  if (n === 14) return 'APPLIED';
  if (n === 15) return 'LOST_TEMPORARY';
  if (n === 16) return 'LOST_FORMAL';
  if (n === 17) return 'REPLACED';
  if (n === 18) return 'CANCELLED';
  return n % 3 === 0 ? 'ACTIVE_WITH_ECARD' : 'ACTIVE';
}

const CHANNELS = ['COUNTER', 'WEBSITE', 'MOBILE', 'SELF_SERVICE_TERMINAL'] as const;
/** Holders built per batch: a small batch's rows die young, which cuts garbage collection by a third against 5,000. */
const CHUNK = 1_000;

export async function seedHr(database: Database, options: SeedRunOptions): Promise<void> {
  const log = options.log ?? (() => {});
  // One transaction: a seed interrupted half-way leaves nothing behind (and is redone on the next start).
  // Replicas take turns through the seed lock the caller holds (SubgraphDatabases.seed).
  await database.db.transaction(async (db) => {
    if ((await countHolders(db)) > 0) {
      log('hr: holders already present, demo data left as it is');
      return;
    }
    const random = seededRandom(20241101);
    const now = new Date();
    const seenIds = new Set<string>();
    const seenCards = new Set<string>();
    const activeBanks = DEMO_BANKS.filter((b) => !b.agreementStatus);
    await db.insert(banks).values(DEMO_BANKS).onConflictDoNothing();
    const progress = seedProgress(options, 'hr', 'holders', options.holders);
    const written = { cards: 0, events: 0, enrolments: 0, contributions: 0, eFiles: 0 };

    const drawCardNumber = (kind: 'PHYSICAL' | 'ELECTRONIC') => {
      for (;;) {
        const number = generateCardNumber(kind, random);
        if (!seenCards.has(number)) return (seenCards.add(number), number);
      }
    };

    const today = chinaDate(now);
    await bulkLoad(db, [holders, bankAccounts, cards, cardEvents, ...E_FILE_SEED_TABLES], async (write) => {
      for (let start = 0; start < options.holders; start += CHUNK) {
        const holderRows: (typeof holders.$inferInsert)[] = [];
        const accountRows: (typeof bankAccounts.$inferInsert)[] = [];
        const cardRows: (typeof cards.$inferInsert)[] = [];
        const eventRows: (typeof cardEvents.$inferInsert)[] = [];
        const eFiles = emptyEFileRows();

        for (let i = start; i < Math.min(start + CHUNK, options.holders); i++) {
          const city = CITY_CODES[i % CITY_CODES.length]!;
          const male = random(2) === 0;
          const birth = `${1940 + random(66)}-${pad(random(12) + 1, 2)}-${pad(random(28) + 1, 2)}`;
          let id = identity(i, city, birth, male, random);
          while (seenIds.has(id.idNumber)) id = identity(i, city, birth, male, random);
          seenIds.add(id.idNumber);
          const holderId = seededUuid(random);
          const created = new Date(Date.UTC(2019 + random(5), random(12), random(28) + 1, 1 + random(10)));
          holderRows.push({
            id: holderId,
            ...id,
            name:
              SURNAMES[random(SURNAMES.length)]! +
              GIVEN[random(GIVEN.length)]! +
              (random(2) ? GIVEN[random(GIVEN.length)]! : ''),
            gender: male ? 'MALE' : 'FEMALE',
            birthDate: birth,
            phone: `1${3 + random(7)}${pad(random(1e9), 9)}`,
            registeredCity: city,
            createdAt: created,
            updatedAt: created,
          });
          addEFileRows(eFiles, { id: holderId, birthDate: birth, registeredCity: city }, today);
          const bank = activeBanks[i % activeBanks.length]!;
          const accountId = seededUuid(random);
          accountRows.push({
            id: accountId,
            holderId,
            bankCode: bank.code,
            accountNumber: `6217${pad(random(1e9), 9)}${pad(random(1e6), 6)}`,
            openedAt: created,
          });

          const story = storyOf(i);
          const issuer = random(4) === 0 ? PROVINCE_CODE : city;
          const issuedAt = new Date(created.getTime() + 7 * 86_400_000);
          const servedBy = () => ({
            channel: CHANNELS[random(CHANNELS.length)]!,
            city: random(5) === 0 ? CITY_CODES[random(CITY_CODES.length)]! : city,
          });
          const physical = (status: 'APPLIED' | 'ACTIVE' | 'LOST' | 'REPLACED' | 'CANCELLED', at: Date) => {
            const issuedOn = status === 'APPLIED' ? null : chinaDate(at);
            const row = {
              id: seededUuid(random),
              cardNumber: drawCardNumber('PHYSICAL'),
              identificationCode: generateIdentificationCode(issuer, random),
              holderId,
              kind: 'PHYSICAL' as const,
              status,
              issuingAuthority: issuer,
              issuedOn,
              expiresOn: issuedOn && expiryDate(issuedOn),
              bankAccountId: accountId,
              createdAt: created,
              updatedAt: at,
            };
            cardRows.push(row);
            return row;
          };
          const history = (
            cardId: string,
            steps: [
              type: (typeof cardEvents.$inferInsert)['type'],
              from: (typeof cardEvents.$inferInsert)['fromStatus'],
              to: (typeof cardEvents.$inferInsert)['toStatus'],
              at: Date,
            ][],
          ) => {
            for (const [type, fromStatus, toStatus, occurredAt] of steps)
              eventRows.push({ cardId, holderId, type, fromStatus, toStatus, ...servedBy(), occurredAt });
          };

          if (story === 'APPLIED') {
            const card = physical('APPLIED', created);
            history(card.id, [['APPLIED', null, 'APPLIED', created]]);
            continue;
          }
          const finalStatus =
            story === 'LOST_TEMPORARY' || story === 'LOST_FORMAL'
              ? 'LOST'
              : story === 'REPLACED'
                ? 'REPLACED'
                : story === 'CANCELLED'
                  ? 'CANCELLED'
                  : 'ACTIVE';
          const card = physical(finalStatus, issuedAt);
          const steps: Parameters<typeof history>[1] = [
            ['APPLIED', null, 'APPLIED', created],
            ['ISSUED', 'APPLIED', 'ACTIVE', issuedAt],
          ];
          if (story === 'LOST_TEMPORARY' || story === 'LOST_FORMAL') {
            // A recent report, so a temporary one has not lapsed yet when the demo starts.
            const reportedAt = new Date(now.getTime() - 86_400_000);
            const lossKind = story === 'LOST_TEMPORARY' ? ('TEMPORARY' as const) : ('FORMAL' as const);
            Object.assign(card, {
              lossKind,
              lossReportedAt: reportedAt,
              lossLapsesAt: lossLapseTime(reportedAt, lossKind, 5),
              updatedAt: reportedAt,
            });
            steps.push(['LOSS_REPORTED', 'ACTIVE', 'LOST', reportedAt]);
          } else if (story === 'REPLACED') {
            const replacedAt = new Date(issuedAt.getTime() + 400 * 86_400_000);
            const replacement = physical('ACTIVE', replacedAt);
            Object.assign(card, { replacedByCardId: replacement.id, updatedAt: replacedAt });
            steps.push(['LOSS_REPORTED', 'ACTIVE', 'LOST', replacedAt], ['REPLACED', 'LOST', 'REPLACED', replacedAt]);
            history(replacement.id, [['ISSUED', null, 'ACTIVE', replacedAt]]);
          } else if (story === 'CANCELLED') {
            const cancelledAt = new Date(issuedAt.getTime() + 200 * 86_400_000);
            Object.assign(card, { updatedAt: cancelledAt });
            steps.push(['CANCELLED', 'ACTIVE', 'CANCELLED', cancelledAt]);
          }
          history(card.id, steps);
          if (story === 'ACTIVE_WITH_ECARD') {
            const ecardAt = new Date(issuedAt.getTime() + 30 * 86_400_000);
            const ecard = {
              id: seededUuid(random),
              cardNumber: drawCardNumber('ELECTRONIC'),
              identificationCode: generateIdentificationCode(issuer, random),
              holderId,
              kind: 'ELECTRONIC' as const,
              physicalCardId: card.id,
              status: 'ACTIVE' as const,
              issuingAuthority: issuer,
              issuedOn: chinaDate(ecardAt),
              expiresOn: card.expiresOn,
              bankAccountId: accountId,
              createdAt: ecardAt,
              updatedAt: ecardAt,
            };
            cardRows.push(ecard);
            history(ecard.id, [['ISSUED', null, 'ACTIVE', ecardAt]]);
          }
        }

        await write([
          into(holders, holderRows),
          into(bankAccounts, accountRows),
          into(cards, cardRows),
          into(cardEvents, eventRows),
          ...eFileBatches(eFiles),
        ]);
        written.cards += cardRows.length;
        written.events += eventRows.length;
        written.enrolments += eFiles.enrolments.length;
        written.contributions += eFiles.contributions.length;
        written.eFiles +=
          eFiles.periods.length + eFiles.training.length + eFiles.qualifications.length + eFiles.contracts.length;
        if (start === 0)
          log(`hr: demo holder ${holderRows[0]!.name}, ID ${holderRows[0]!.idNumber}, card ${cardRows[0]!.cardNumber}`);
        await progress.advance(Math.min(start + CHUNK, options.holders));
      }
    });
    const violationCount = await seedViolations(db);
    progress.finish(
      `${violationCount} violations, ${written.cards} cards, ${written.events} card events, ${written.enrolments} social insurance enrolments, ${written.contributions} contributions, ${written.eFiles} e-file entries`,
    );
  });
}
