// Deterministic demo catalog: the provincial catalog of the applications Art 7 lists (social insurance and HR,
// medical, transport, culture and tourism, government services, finance), Guangzhou's and Shenzhen's extending it,
// the credentials departments have registered (one integrated with the card as a national requirement), and two
// attempts refused as duplicating the card, for governance's compliance report. The same on every machine.
import { eq } from 'drizzle-orm';
import type { Database, Db } from '../core/database.js';
import {
  catalogItems,
  catalogVersions,
  credentials,
  refusedCredentials,
  type Category,
} from '../subgraphs/catalog/tables.js';
import type { SeedRunOptions } from './seeding.js';

type Item = [code: string, name: string, category: Category, department: string, scenarios: string[], venues: string[]];

/** In force from the start of 2025. */
const PROVINCIAL: Item[] = [
  [
    'SOCIAL_INSURANCE_RECORDS',
    '社会保险参保与缴费查询',
    'SOCIAL_INSURANCE',
    'hr',
    ['社保查询', '参保登记'],
    ['人社服务窗口', '粤省事'],
  ],
  [
    'PENSION_COLLECTION',
    '养老金领取资格认证',
    'SOCIAL_INSURANCE',
    'hr',
    ['养老金领取', '资格认证'],
    ['人社服务窗口', '银行网点'],
  ],
  ['EMPLOYMENT_SERVICES', '就业登记与职业培训', 'HR_SERVICE', 'hr', ['就业登记', '职业技能培训'], ['公共就业服务机构']],
  ['MEDICAL_SETTLEMENT', '医保就医结算', 'MEDICAL', 'health', ['医保结算', '挂号就诊'], ['定点医疗机构', '定点药店']],
  ['HEALTH_RECORDS', '居民电子健康档案', 'MEDICAL', 'health', ['健康档案查询'], ['基层医疗卫生机构']],
  [
    'PREFERENTIAL_CERTIFICATES',
    '优待证件（老年人、残疾人、优抚对象）',
    'GOVERNMENT_SERVICE',
    'civil-affairs',
    ['优待资格核验', '乘车优惠'],
    ['民政服务窗口'],
  ],
  ['RELIEF_PAYMENTS', '社会救助待遇发放', 'FINANCE', 'civil-affairs', ['救助金发放'], ['银行账户']],
  [
    'TRANSIT_RIDES',
    '公共交通乘车',
    'TRANSPORT',
    'transport',
    ['乘坐公交地铁', '城际交通'],
    ['公交', '地铁', '城际轨道'],
  ],
  [
    'VENUE_ADMISSION',
    '景区与文化场馆入园',
    'CULTURE_TOURISM',
    'culture-tourism',
    ['景区入园', '博物馆参观'],
    ['A级景区', '博物馆', '文化馆'],
  ],
  ['LIBRARY_LOANS', '公共图书馆借阅', 'CULTURE_TOURISM', 'culture-tourism', ['图书借阅'], ['公共图书馆']],
  ['BANK_ACCOUNT', '金融账户与惠民补贴发放', 'FINANCE', 'hr', ['金融账户', '待遇发放'], ['合作银行网点']],
];

const CITIES: Record<string, Item[]> = {
  '440100': [
    ['GZ_LINGNAN_PASS', '岭南通乘车与小额支付', 'TRANSPORT', 'transport', ['岭南通', '轮渡'], ['广州公交', '广州轮渡']],
    [
      'GZ_SENIOR_PARKS',
      '广州市公园老年人免费入园',
      'CULTURE_TOURISM',
      'culture-tourism',
      ['公园入园'],
      ['广州市属公园'],
    ],
  ],
  '440300': [
    ['SZ_TALENT_SERVICES', '深圳人才服务', 'HR_SERVICE', 'hr', ['人才引进', '人才补贴'], ['深圳人才服务窗口']],
  ],
};

const CREDENTIALS: (typeof credentials.$inferInsert)[] = [
  {
    department: 'health',
    code: 'BLOOD_DONOR',
    name: '无偿献血证',
    kind: 'CERTIFICATE',
    category: 'MEDICAL',
    scenarios: ['无偿献血'],
    city: null,
    status: 'REGISTERED',
    registeredBy: 'dept-health',
  },
  {
    department: 'health',
    code: 'NATIONAL_MEDICAL_INSURANCE_CODE',
    name: '医保电子凭证',
    kind: 'QR_CODE',
    category: 'MEDICAL',
    scenarios: ['医保结算'],
    city: null,
    status: 'INTEGRATED',
    nationalBasis: '国家医疗保障局医保电子凭证（全国统一）',
    integratedWith: ['MEDICAL_SETTLEMENT'],
    registeredBy: 'dept-health',
  },
  {
    department: 'culture-tourism',
    code: 'HERITAGE_VOLUNTEER',
    name: '文物保护志愿者证',
    kind: 'CARD',
    category: 'CULTURE_TOURISM',
    scenarios: ['志愿服务'],
    city: '440100',
    status: 'REGISTERED',
    registeredBy: 'dept-culture-tourism',
  },
];

const REFUSED: (typeof refusedCredentials.$inferInsert)[] = [
  {
    idempotencyKey: 'seed-refused-transport-0001',
    department: 'transport',
    code: 'CITY_BUS_CARD',
    name: '市民公交卡',
    kind: 'CARD',
    category: 'TRANSPORT',
    scenarios: ['乘坐公交地铁'],
    city: '440300',
    duplicates: ['TRANSIT_RIDES'],
    attemptedBy: 'dept-transport',
  },
  {
    idempotencyKey: 'seed-refused-culture-0001',
    department: 'culture-tourism',
    code: 'LIBRARY_CARD',
    name: '图书馆读者证',
    kind: 'CARD',
    category: 'CULTURE_TOURISM',
    scenarios: ['图书借阅'],
    city: null,
    duplicates: ['LIBRARY_LOANS'],
    attemptedBy: 'dept-culture-tourism',
  },
];

/** A version drafted with its items and then published: the database takes no item into a published version. */
async function publishVersion(tx: Db, scope: string, effectiveFrom: string, items: Item[]): Promise<void> {
  const [version] = await tx.insert(catalogVersions).values({ scope, version: 1 }).returning();
  await tx.insert(catalogItems).values(
    items.map(([code, name, category, department, scenarios, venues]) => ({
      versionId: version!.id,
      code,
      name,
      category,
      department,
      scenarios,
      venues,
    })),
  );
  await tx
    .update(catalogVersions)
    .set({ status: 'PUBLISHED', effectiveFrom, publishedAt: new Date(`${effectiveFrom}T00:00:00+08:00`) })
    .where(eq(catalogVersions.id, version!.id));
}

export async function seedCatalog(database: Database, options: SeedRunOptions): Promise<void> {
  const { db } = database;
  const log = options.log ?? (() => {});
  if ((await db.select({ id: catalogVersions.id }).from(catalogVersions).limit(1)).length > 0) {
    log('catalog: catalogs already present, demo data left as it is');
    return;
  }
  await db.transaction(async (tx) => {
    await publishVersion(tx, '440000', '2025-01-01', PROVINCIAL);
    for (const [city, items] of Object.entries(CITIES)) await publishVersion(tx, city, '2025-07-01', items);
    await tx.insert(credentials).values(CREDENTIALS);
    await tx.insert(refusedCredentials).values(REFUSED);
  });
  log(
    `catalog: ${PROVINCIAL.length} provincial applications, ${Object.keys(CITIES).length} city catalogs, ${CREDENTIALS.length} credentials`,
  );
}
