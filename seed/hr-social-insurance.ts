// Demo social insurance and e-files for hr's demo holders (seed/hr.ts writes them in the same batches): most working-age
// holders are enrolled, through an employer in all five schemes or flexibly employed in pension and medical, with the
// last three months' pension and medical contributions; about a third have e-file entries (employment, a labour
// contract, sometimes training and a title). Each holder draws from a sequence of their own, seeded by their id, so
// the rest of the demo data (drawn from hr's one sequence) stays as it was.
import { createHash } from 'node:crypto';
import { CITIES, type CityCode } from '../subgraphs/kit/cities.js';
import { chinaDate } from '../subgraphs/kit/time.js';
import { creditCodeCheck } from '../subgraphs/hr/e-file-inputs.js';
import {
  employmentPeriods,
  labourContracts,
  qualifications,
  socialInsuranceContributions,
  socialInsuranceEnrolments,
  trainingRecords,
  type InsuranceScheme,
} from '../subgraphs/hr/e-file-tables.js';
import { into, type Batch } from './bulk-load/index.js';
import { pad, seededRandom } from './random.js';
import type { RandomInt } from '../subgraphs/kit/random.js';

/** The tables these rows go to, in the order bulkLoad is to write them (contributions after their enrolments). */
export const E_FILE_SEED_TABLES = [
  socialInsuranceEnrolments,
  socialInsuranceContributions,
  employmentPeriods,
  trainingRecords,
  qualifications,
  labourContracts,
] as const;

type Rows<T extends { $inferInsert: unknown }> = T['$inferInsert'][];
export interface EFileRows {
  enrolments: Rows<typeof socialInsuranceEnrolments>;
  contributions: Rows<typeof socialInsuranceContributions>;
  periods: Rows<typeof employmentPeriods>;
  training: Rows<typeof trainingRecords>;
  qualifications: Rows<typeof qualifications>;
  contracts: Rows<typeof labourContracts>;
}

/** The rows as bulkLoad's batches, enrolments before the contributions that reference them. */
export const eFileBatches = (rows: EFileRows): Batch[] => [
  into(socialInsuranceEnrolments, rows.enrolments),
  into(socialInsuranceContributions, rows.contributions),
  into(employmentPeriods, rows.periods),
  into(trainingRecords, rows.training),
  into(qualifications, rows.qualifications),
  into(labourContracts, rows.contracts),
];

export const emptyEFileRows = (): EFileRows => ({
  enrolments: [],
  contributions: [],
  periods: [],
  training: [],
  qualifications: [],
  contracts: [],
});

const TRADES = ['科技', '电子', '物流', '贸易', '建设', '餐饮', '制造', '服装', '医药', '家具'];
const SCHEMES: InsuranceScheme[] = ['PENSION', 'MEDICAL', 'WORK_INJURY', 'UNEMPLOYMENT', 'MATERNITY'];
/** Employer and personal rates in basis points of the contribution base (Guangdong's, roughly). */
const RATES: Partial<Record<InsuranceScheme, [number, number]>> = { PENSION: [1600, 800], MEDICAL: [550, 200] };
const OCCUPATIONS = ['电工', '焊工', '育婴员', '中式烹调师', '计算机程序设计员', '保育师', '汽车维修工'];
const TITLES = ['工程师', '会计师', '经济师', '主管护师', '讲师'];

function employer(random: RandomInt, city: string) {
  const first17 = `9144${city.slice(2, 4)}${pad(random(100), 2)}MA5${pad(random(1e8), 8)}`.slice(0, 17);
  return {
    employerName: `${CITIES[city as CityCode]}市${TRADES[random(TRADES.length)]}有限公司`,
    employerCode: first17 + creditCodeCheck(first17),
  };
}

// Ids and digests come from the holder's id, not the holder's sequence: mulberry32's sequences for two seeds can be
// the same numbers shifted, so two holders may draw alike (20,000 holders drew one enrolment id twice).
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** A version-4-shaped UUID, unique to what `text` names. */
function derivedUuid(text: string): string {
  const hex = sha256(text);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Number.parseInt(hex[16]!, 16) % 4]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// Who is enrolled, and since when, is reckoned as of this year, not the current one: the same holders keep the same
// records from year to year (the README's example among them). Only the contribution months follow the calendar.
const REFERENCE_YEAR = 2025;

/** The first moment of a month in Guangdong, `back` months before `today`'s. */
function monthStart(today: string, back: number): Date {
  const index = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - 1 - back;
  return new Date(`${Math.floor(index / 12)}-${pad((index % 12) + 1, 2)}-01T00:00:00+08:00`);
}

/** Adds one holder's rows to `rows`. `today` is a Guangdong date (the three months before it get contributions). */
export function addEFileRows(
  rows: EFileRows,
  holder: { id: string; birthDate: string; registeredCity: string },
  today: string,
): void {
  const random = seededRandom(Number.parseInt(holder.id.slice(0, 8), 16) ^ 0x51e0f11e);
  const age = REFERENCE_YEAR - Number(holder.birthDate.slice(0, 4));
  const roll = random(100);
  if (age < 18 || age >= 60 || roll >= 85) return;
  const city = holder.registeredCity;
  const startYear = Math.min(
    REFERENCE_YEAR - 1,
    Math.max(Number(holder.birthDate.slice(0, 4)) + 18, REFERENCE_YEAR - 1 - random(12)),
  );
  const startDate = `${startYear}-${pad(random(12) + 1, 2)}-01`;
  const recordedAt = new Date(`${startDate}T09:00:00+08:00`);
  const job = roll < 70 ? employer(random, city) : null;
  const suspended = random(20) === 0;
  const baseFen = (4_588 + random(20_000)) * 100;

  for (const scheme of job ? SCHEMES : SCHEMES.slice(0, 2)) {
    const id = derivedUuid(`${holder.id} ${scheme}`);
    const status = suspended ? 'SUSPENDED' : 'ACTIVE';
    rows.enrolments.push({
      id,
      holderId: holder.id,
      scheme,
      city,
      employerName: job?.employerName ?? null,
      employerCode: job?.employerCode ?? null,
      status,
      startDate,
      endDate: null,
      recordedAt,
    });
    const rates = RATES[scheme];
    if (!rates || suspended) continue;
    for (let back = 3; back >= 1; back--) {
      const month = monthStart(today, back);
      // The flexibly employed pay both parts themselves: all of it is personal.
      const [employerPart, personalPart] = job ? rates : [0, rates[0] + rates[1]];
      rows.contributions.push({
        holderId: holder.id,
        enrolmentId: id,
        month,
        employerFen: Math.round((baseFen * employerPart) / 10_000),
        personalFen: Math.round((baseFen * personalPart) / 10_000),
        recordedAt: new Date(month.getTime() + 27 * 86_400_000),
      });
    }
  }

  // The e-file library for about a third of them: the job they hold, its contract, and what they trained for.
  if (!job || random(2) === 1) return;
  rows.periods.push({
    holderId: holder.id,
    kind: 'EMPLOYED',
    ...job,
    city,
    startDate,
    endDate: null,
    recordedAt,
  });
  const signedAt = new Date(recordedAt.getTime() - 7 * 86_400_000);
  const fixed = random(3) > 0;
  rows.contracts.push({
    holderId: holder.id,
    ...job,
    term: fixed ? 'FIXED_TERM' : 'OPEN_ENDED',
    startDate,
    endDate: fixed ? `${startYear + 3}-${startDate.slice(5, 7)}-01` : null,
    signedAt,
    documentSha256: sha256(`${holder.id} labour contract`),
    recordedAt,
  });
  const completedOn = chinaDate(new Date(recordedAt.getTime() + (30 + random(300)) * 86_400_000));
  if (random(2) === 0 && completedOn <= `${REFERENCE_YEAR}-12-31`) {
    rows.training.push({
      holderId: holder.id,
      kind: 'SKILL_EVALUATION',
      occupation: OCCUPATIONS[random(OCCUPATIONS.length)]!,
      provider: `${CITIES[city as CityCode]}市职业技能鉴定指导中心`,
      skillLevel: 2 + random(4),
      certificateNumber: `S${completedOn.slice(0, 4)}${city}${pad(random(1e6), 6)}`,
      completedOn,
      recordedAt: new Date(`${completedOn}T10:00:00+08:00`),
    });
  }
  if (random(3) === 0) {
    const awardedOn = `${Math.min(startYear + 2 + random(4), REFERENCE_YEAR - 1)}-12-01`;
    rows.qualifications.push({
      holderId: holder.id,
      kind: 'PROFESSIONAL_TITLE',
      name: TITLES[random(TITLES.length)]!,
      level: random(3) === 0 ? 'JUNIOR' : 'INTERMEDIATE',
      issuer: '广东省人力资源和社会保障厅',
      certificateNumber: null,
      awardedOn,
      recordedAt: new Date(`${awardedOn}T10:00:00+08:00`),
    });
  }
}
