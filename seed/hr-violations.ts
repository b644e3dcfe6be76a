// Demo violations (Art 19) for the public credit feed: three holders (the first by id, so the same on every machine)
// and one organisation, written after hr's holders in hr's seed transaction. Positions 1.. in the order written.
import { asc } from 'drizzle-orm';
import type { Db } from '../core/database.js';
import { creditCodeCheck } from '../subgraphs/hr/e-file-inputs.js';
import { holders, violations } from '../subgraphs/hr/tables.js';
import { seededRandom, seededUuid } from './random.js';

const ORGANISATION_FIRST17 = '91440101MA59DEM00';

export async function seedViolations(db: Db): Promise<number> {
  const random = seededRandom(190_019);
  const subjects = await db.select({ id: holders.id }).from(holders).orderBy(asc(holders.id)).limit(3);
  const rows: (typeof violations.$inferInsert)[] = subjects.map((holder, i) => ({
    id: seededUuid(random),
    holderId: holder.id,
    kind: (['RENT_LEND_SELL', 'FRAUDULENT_USE', 'FORGERY'] as const)[i]!,
    facts: ['将社会保障卡出借他人使用', '冒用他人社会保障卡就医结算', '伪造社会保障卡'][i]!,
    authority: ['440100', '440300', '440000'][i]!,
    decision: ['责令改正，处罚款', '责令改正', '处罚款'][i]!,
    decidedOn: `2025-0${i + 3}-15`,
    fineFen: [200_000, null, 1_000_000][i]!,
    correctBy: i < 2 ? `2025-0${i + 4}-15` : null,
    status: i === 0 ? ('CORRECTED' as const) : ('DECIDED' as const),
    feedPosition: i + 1,
    recordedAt: new Date(`2025-0${i + 3}-15T10:00:00+08:00`),
  }));
  const code = ORGANISATION_FIRST17 + creditCodeCheck(ORGANISATION_FIRST17);
  rows.push({
    id: seededUuid(random),
    organisationName: '广州市示例人力资源服务有限公司',
    organisationCode: code,
    kind: 'RENT_LEND_SELL',
    facts: '收购、出售他人社会保障卡',
    authority: '440100',
    decision: '责令改正，处罚款',
    decidedOn: '2025-06-20',
    fineFen: 500_000,
    correctBy: '2025-07-20',
    feedPosition: rows.length + 1,
    recordedAt: new Date('2025-06-20T10:00:00+08:00'),
  });
  await db.insert(violations).values(rows);
  return rows.length;
}
