// Deterministic demo data for the health domain, consistent with hr's demo holders: hospitals in all 21 cities, and
// for most holders two or three visits, mostly in their own city and some elsewhere (Art 4), with real ICD-10
// diagnoses, settlements that add up, and the medical records those visits left.
import { asc, gt } from 'drizzle-orm';
import { holders } from '../subgraphs/hr/tables.js';
import { bulkLoad, into } from './bulk-load/index.js';
import { CITY_CODES, isCityCode } from '../subgraphs/kit/cities.js';
import type { Database } from '../core/database.js';
import { pad, seededRandom, seededUuid } from './random.js';
import type { RandomInt } from '../subgraphs/kit/random.js';
import { NIL_UUID, readAhead, readerIn, seedProgress, type SeedRunOptions } from './seeding.js';
import { hasInstitutions } from '../subgraphs/health/repository.js';
import {
  healthRecords,
  medicalInstitutions,
  settlements,
  visitDiagnoses,
  visits,
  type InstitutionLevel,
  type InstitutionRow,
  type VisitKind,
} from '../subgraphs/health/tables.js';

/** One or more institutions per city; codes are H + the city's division code + a serial. */
const INSTITUTIONS: [city: string, name: string, level: InstitutionLevel][] = [
  ['440100', '广州市第一人民医院', 'TERTIARY_A'],
  ['440100', '中山大学附属第一医院', 'TERTIARY_A'],
  ['440100', '广州市越秀区六榕街社区卫生服务中心', 'PRIMARY'],
  ['440200', '韶关市第一人民医院', 'TERTIARY_A'],
  ['440200', '韶关市曲江区人民医院', 'SECONDARY_A'],
  ['440300', '深圳市人民医院', 'TERTIARY_A'],
  ['440300', '香港大学深圳医院', 'TERTIARY_A'],
  ['440300', '深圳市福田区莲花街道社区健康服务中心', 'PRIMARY'],
  ['440400', '珠海市人民医院', 'TERTIARY_A'],
  ['440500', '汕头市中心医院', 'TERTIARY_A'],
  ['440600', '佛山市第一人民医院', 'TERTIARY_A'],
  ['440700', '江门市中心医院', 'TERTIARY_A'],
  ['440800', '湛江中心人民医院', 'TERTIARY_A'],
  ['440900', '茂名市人民医院', 'TERTIARY_A'],
  ['441200', '肇庆市第一人民医院', 'TERTIARY_A'],
  ['441300', '惠州市中心人民医院', 'TERTIARY_A'],
  ['441400', '梅州市人民医院', 'TERTIARY_A'],
  ['441500', '汕尾市人民医院', 'TERTIARY_B'],
  ['441600', '河源市人民医院', 'TERTIARY_A'],
  ['441700', '阳江市人民医院', 'TERTIARY_A'],
  ['441800', '清远市人民医院', 'TERTIARY_A'],
  ['441900', '东莞市人民医院', 'TERTIARY_A'],
  ['442000', '中山市人民医院', 'TERTIARY_A'],
  ['445100', '潮州市中心医院', 'TERTIARY_A'],
  ['445200', '揭阳市人民医院', 'TERTIARY_A'],
  ['445300', '云浮市人民医院', 'SECONDARY_A'],
];

/** Real ICD-10 codes, with the names the summaries use. */
const DIAGNOSES: Record<string, string> = {
  'J06.9': '急性上呼吸道感染',
  'J20.9': '急性支气管炎',
  'J18.9': '肺炎',
  'J45.909': '支气管哮喘',
  I10: '原发性高血压',
  'I25.1': '动脉粥样硬化性心脏病',
  'I48.9': '心房颤动',
  'E11.9': '2型糖尿病',
  'E78.5': '高脂血症',
  'E03.9': '甲状腺功能减退症',
  'K29.7': '胃炎',
  'K21.9': '胃食管反流病',
  'K35.8': '急性阑尾炎',
  'K80.2': '胆囊结石',
  'K40.9': '腹股沟疝',
  'M54.5': '腰痛',
  'M17.9': '膝关节病',
  'S52.5': '桡骨远端骨折',
  'J02.9': '急性咽炎',
  'A09.9': '胃肠炎',
  'H10.9': '结膜炎',
  'H52.1': '近视',
  'H25.9': '老年性白内障',
  'K02.9': '龋病',
  'K05.1': '慢性牙龈炎',
  'L30.9': '皮炎',
  'L50.9': '荨麻疹',
  'I63.9': '脑梗死',
  'G43.9': '偏头痛',
};

/** Departments, what they diagnose, and whether they admit patients. */
const DEPARTMENTS: { name: string; codes: string[]; admits: boolean }[] = [
  { name: '呼吸内科', codes: ['J06.9', 'J20.9', 'J18.9', 'J45.909'], admits: true },
  { name: '心血管内科', codes: ['I10', 'I25.1', 'I48.9'], admits: true },
  { name: '内分泌科', codes: ['E11.9', 'E78.5', 'E03.9'], admits: false },
  { name: '消化内科', codes: ['K29.7', 'K21.9'], admits: false },
  { name: '普通外科', codes: ['K35.8', 'K80.2', 'K40.9'], admits: true },
  { name: '骨科', codes: ['M54.5', 'M17.9', 'S52.5'], admits: true },
  { name: '儿科', codes: ['J06.9', 'J02.9', 'A09.9'], admits: false },
  { name: '眼科', codes: ['H10.9', 'H52.1', 'H25.9'], admits: true },
  { name: '口腔科', codes: ['K02.9', 'K05.1'], admits: false },
  { name: '皮肤科', codes: ['L30.9', 'L50.9'], admits: false },
  { name: '神经内科', codes: ['I63.9', 'G43.9'], admits: true },
];
const ADMITTING = DEPARTMENTS.filter((d) => d.admits);

/** hr holders read per batch, and their visits built (small, as in hr). */
const HOLDER_CHUNK = 1_000;
const DAY_MS = 86_400_000;
// Visits fall in 2023–2024, so the demo data is the same whenever it is seeded.
const FIRST_DAY = Date.UTC(2023, 0, 1);

const pick = <T>(random: RandomInt, list: readonly T[]): T => list[random(list.length)]!;

function institutionRows(random: RandomInt): InstitutionRow[] {
  const serials = new Map<string, number>();
  const createdAt = new Date(Date.UTC(2022, 0, 1));
  return INSTITUTIONS.map(([city, name, level]) => {
    const serial = (serials.get(city) ?? 0) + 1;
    serials.set(city, serial);
    return { id: seededUuid(random), code: `H${city}${pad(serial, 5)}`, name, city, level, createdAt };
  });
}

/** Settlement amounts in whole fen, split between the fund and the holder as a real settlement would be. */
function settle(totalFen: number, fundShare: number, paidByCard: boolean) {
  const fundPaid = Math.round(totalFen * fundShare);
  const selfPaid = totalFen - fundPaid;
  const yuan = (fen: number) => `${Math.floor(fen / 100)}.${pad(fen % 100, 2)}`;
  return {
    total: yuan(totalFen),
    fundPaid: yuan(fundPaid),
    selfPaid: yuan(selfPaid),
    cardPaid: yuan(paidByCard ? selfPaid : 0),
  };
}

export async function seedHealth(database: Database, options: SeedRunOptions): Promise<void> {
  const { db } = database;
  const log = options.log ?? (() => {});
  if (await hasInstitutions(db)) {
    log('health: medical institutions already present, demo data left as it is');
    return;
  }
  const random = seededRandom(20241103);
  const institutions = institutionRows(random);
  const inCity = new Map<string, InstitutionRow[]>(
    CITY_CODES.map((city) => [city, institutions.filter((i) => i.city === city)]),
  );
  const primaryCare = (city: string) => inCity.get(city)!.find((i) => i.level === 'PRIMARY') ?? inCity.get(city)![0]!;
  // One transaction, as in hr: an interrupted seed leaves nothing behind, and is redone on the next start.
  await db.transaction(async (tx) => {
    await tx.insert(medicalInstitutions).values(institutions);
    log(`health: ${institutions.length} medical institutions in ${CITY_CODES.length} cities`);
    const hrDb = readerIn(database, options, tx)('hr');
    // The first `options.holders` holders in id order.
    const total = Math.min(options.holders, await hrDb.$count(holders));
    const progress = seedProgress(options, 'health', 'holders', total);
    const written = { holders: 0, visits: 0, records: 0 };
    let requested = 0;
    type Holder = { id: string; city: string };
    const batches = readAhead(async (previous: Holder[] | undefined) => {
      const limit = Math.min(HOLDER_CHUNK, total - requested);
      if (limit <= 0) return undefined;
      requested += limit;
      const batch = await hrDb
        .select({ id: holders.id, city: holders.registeredCity })
        .from(holders)
        .where(gt(holders.id, previous?.at(-1)!.id ?? NIL_UUID))
        .orderBy(asc(holders.id))
        .limit(limit);
      return batch.length > 0 ? batch : undefined;
    });
    await bulkLoad(tx, [visits, visitDiagnoses, settlements, healthRecords], async (write) => {
      for await (const batch of batches) {
        const visitRows: (typeof visits.$inferInsert)[] = [];
        const diagnosisRows: (typeof visitDiagnoses.$inferInsert)[] = [];
        const settlementRows: (typeof settlements.$inferInsert)[] = [];
        const recordRows: (typeof healthRecords.$inferInsert)[] = [];

        for (const holder of batch) {
          // Six holders in ten have been to hospital on the card.
          if (random(10) >= 6) continue;
          const home = isCityCode(holder.city) ? holder.city : CITY_CODES[0]!;
          if (random(3) === 0) {
            const archivedAt = new Date(FIRST_DAY - (1 + random(700)) * DAY_MS + 2 * 3_600_000);
            recordRows.push({
              id: seededUuid(random),
              holderId: holder.id,
              type: 'HEALTH_ARCHIVE',
              institutionId: primaryCare(home).id,
              recordedAt: archivedAt,
              summary: '居民健康档案建档',
            });
          }
          const count = 2 + random(2);
          for (let v = 0; v < count; v++) {
            // One visit in five is in another city than the holder's own (Art 4).
            const city = random(5) === 0 ? pick(random, CITY_CODES) : home;
            const institution = pick(random, inCity.get(city)!);
            const roll = random(20);
            const kind: VisitKind = roll < 4 ? 'REGISTRATION' : roll < 17 ? 'OUTPATIENT' : 'INPATIENT';
            const department = pick(random, kind === 'INPATIENT' ? ADMITTING : DEPARTMENTS);
            // Between 08:00 and 17:59 Guangdong time.
            const visitedAt = new Date(FIRST_DAY + random(730) * DAY_MS + random(10 * 60) * 60_000);
            const admittedAt = kind === 'INPATIENT' ? visitedAt : null;
            const dischargedAt = admittedAt && new Date(admittedAt.getTime() + (3 + random(12)) * DAY_MS);
            const visitId = seededUuid(random);
            visitRows.push({
              id: visitId,
              kind,
              holderId: holder.id,
              institutionId: institution.id,
              city,
              department: department.name,
              visitedAt,
              admittedAt,
              dischargedAt,
            });

            const codes =
              kind === 'REGISTRATION'
                ? []
                : [
                    ...new Set([
                      pick(random, department.codes),
                      ...(random(3) === 0 ? [pick(random, department.codes)] : []),
                    ]),
                  ];
            codes.forEach((code, position) => diagnosisRows.push({ visitId, position, code }));

            const paidByCard = random(3) > 0;
            const amounts =
              kind === 'REGISTRATION'
                ? settle(500 + random(4_500), 0, paidByCard)
                : kind === 'OUTPATIENT'
                  ? settle(3_000 + random(77_000), (50 + random(21)) / 100, paidByCard)
                  : settle(300_000 + random(4_700_000), (70 + random(16)) / 100, paidByCard);
            settlementRows.push({ id: seededUuid(random), visitId, ...amounts, settledAt: dischargedAt ?? visitedAt });

            if (kind !== 'REGISTRATION') {
              const names = codes.map((c) => DIAGNOSES[c]).join('、');
              const stay = dischargedAt ? Math.round((dischargedAt.getTime() - visitedAt.getTime()) / DAY_MS) : 0;
              recordRows.push({
                id: seededUuid(random),
                holderId: holder.id,
                type: 'EMR',
                institutionId: institution.id,
                recordedAt: dischargedAt ?? visitedAt,
                summary:
                  kind === 'INPATIENT'
                    ? `住院病历：${department.name}，${names}，住院${stay}天`
                    : `门诊病历：${department.name}，${names}`,
              });
              if (kind === 'INPATIENT' || random(4) === 0) {
                recordRows.push({
                  id: seededUuid(random),
                  holderId: holder.id,
                  type: 'EXAMINATION_REPORT',
                  institutionId: institution.id,
                  recordedAt: new Date(visitedAt.getTime() + 2 * 3_600_000),
                  summary: kind === 'INPATIENT' ? '入院检查：血常规、生化全项、胸部X线' : '检验报告：血常规',
                });
              }
            }
          }
        }

        await write([
          into(visits, visitRows),
          into(visitDiagnoses, diagnosisRows),
          into(settlements, settlementRows),
          into(healthRecords, recordRows),
        ]);
        written.holders += batch.length;
        written.visits += visitRows.length;
        written.records += recordRows.length;
        await progress.advance(written.holders);
      }
    });
    progress.finish(`${written.visits} visits, ${written.records} health records`);
  });
}
