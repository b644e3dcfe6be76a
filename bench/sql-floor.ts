// Scenario 5, the floor: scenario 2's data (one holder, fields from all five departments) read by ONE hand-written
// SQL query through postgres.js, serialised to JSON by the server itself, served over bare node:http. No GraphQL, no
// federation, no auth, no policy, no audit: what reading the same rows costs at the least. The bench drives it with
// the same load generator and body as scenario 2 (`{ query, variables: { id } }`); the query text is ignored, the
// holder is `variables.id`, the identity document number scenario 2's `holder(idNumber:)` takes.
//
// The query follows ALL_DOMAINS (test/support/queries.ts): holder, bank account and bank, cards with their events and
// physical card, civil affairs' certificates (page of 20, the subgraphs' default page size) and valid concession
// certificates, relief entitlements (20), transport's live transit functions, the 5 latest rides (+ hasNextPage),
// health's 5 latest visits with diagnoses, institution and settlement, 5 health records, culture and tourism's 5
// latest admissions and library loans with their venues. PostgreSQL builds the whole answer with json_build_object
// and json_agg; postgres.js hands back one text column the server writes as is.
//
// Env: DATABASE_URL (PostgreSQL only: PGlite serves one process), SQL_FLOOR_PORT (0 picks a free port).
// GET /stats answers {"sql": <statements issued>} for the bench's SQL/request column.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('sql-floor: DATABASE_URL is required');
  process.exit(2);
}
const db = postgres(url, { max: 10, onnotice: () => {}, prepare: true });
let statements = 0;

const holderJson = (idNumber: string) => db<{ j: string | null }[]>`
  select json_build_object(
    'id', h.id, 'name', h.name, 'registeredCity', h.registered_city,
    'bankAccount', (
      select json_build_object('bank', json_build_object('name', b.name))
      from hr.bank_accounts ba join hr.banks b on b.code = ba.bank_code
      where ba.holder_id = h.id and ba.closed_at is null
      order by ba.opened_at desc limit 1),
    'cards', coalesce((
      select json_agg(json_build_object(
        'cardNumber', c.card_number, 'status', c.status,
        'events', coalesce((select json_agg(json_build_object('type', e.type) order by e.occurred_at, e.id)
                            from hr.card_events e where e.card_id = c.id), '[]'::json),
        'physicalCard', (select json_build_object('cardNumber', p.card_number) from hr.cards p where p.id = c.physical_card_id)
      ) order by c.created_at, c.id)
      from hr.cards c where c.holder_id = h.id), '[]'::json),
    'preferentialCertificates', json_build_object('nodes', coalesce((
      select json_agg(json_build_object('kind', x.kind, 'status', x.status))
      from (select kind, status from civil_affairs.certificates where holder_id = h.id order by issued_at desc, id desc limit 20) x), '[]'::json)),
    'concessionCertificates', coalesce((
      select json_agg(json_build_object('kind', cc.kind))
      from civil_affairs.certificates cc
      where cc.holder_id = h.id and cc.status = 'VALID' and cc.valid_from <= current_date
        and (cc.valid_until is null or cc.valid_until >= current_date)), '[]'::json),
    'reliefEntitlements', json_build_object('nodes', coalesce((
      select json_agg(json_build_object('kind', x.kind, 'monthlyAmount', x.monthly_amount))
      from (select kind, monthly_amount from civil_affairs.relief_entitlements where holder_id = h.id order by granted_at desc, id desc limit 20) x), '[]'::json)),
    'transitFunctions', coalesce((
      select json_agg(json_build_object('city', t.city, 'operator', t.operator))
      from transport.transit_functions t where t.holder_id = h.id and t.unloaded_at is null), '[]'::json),
    'rides', (
      select json_build_object(
        'nodes', coalesce(json_agg(json_build_object('mode', x.mode, 'fare', x.fare)) filter (where x.n <= 5), '[]'::json),
        'pageInfo', json_build_object('hasNextPage', count(*) > 5))
      from (select mode, fare, row_number() over (order by occurred_at desc, id desc) n
            from transport.rides where holder_id = h.id order by occurred_at desc, id desc limit 6) x),
    'medicalVisits', json_build_object('nodes', coalesce((
      select json_agg(json_build_object(
        'kind', v.kind,
        'diagnoses', coalesce((select json_agg(d.code order by d.position) from health.visit_diagnoses d where d.visit_id = v.id), '[]'::json),
        'institution', (select json_build_object('name', i.name) from health.medical_institutions i where i.id = v.institution_id),
        'settlement', (select json_build_object('total', s.total) from health.settlements s where s.visit_id = v.id)))
      from (select id, kind, institution_id from health.visits where holder_id = h.id order by visited_at desc, id desc limit 5) v), '[]'::json)),
    'healthRecords', json_build_object('nodes', coalesce((
      select json_agg(json_build_object('summary', r.summary))
      from (select summary from health.health_records where holder_id = h.id order by recorded_at desc, id desc limit 5) r), '[]'::json)),
    'venueAdmissions', json_build_object('nodes', coalesce((
      select json_agg(json_build_object('concession', a.concession, 'venue', json_build_object('name', vn.name)))
      from (select concession, venue_id from culture_tourism.admissions where holder_id = h.id order by admitted_at desc, id desc limit 5) a
      join culture_tourism.venues vn on vn.id = a.venue_id), '[]'::json)),
    'libraryLoans', json_build_object('nodes', coalesce((
      select json_agg(json_build_object('title', l.title, 'venue', json_build_object('name', vn.name)))
      from (select title, venue_id from culture_tourism.library_loans where holder_id = h.id order by borrowed_at desc, id desc limit 5) l
      join culture_tourism.venues vn on vn.id = l.venue_id), '[]'::json))
  )::text as j
  from hr.holders h where h.id_number = ${idNumber}`;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sql: statements }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let id: unknown;
    try {
      id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables?: { id?: unknown } }).variables?.id;
    } catch {
      // answered below
    }
    if (typeof id !== 'string') {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end('{"errors":[{"message":"variables.id must be a string"}]}');
      return;
    }
    statements++;
    holderJson(id).then(
      (rows) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(`{"data":{"holder":${rows[0]?.j ?? 'null'}}}`);
      },
      (error: unknown) => {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ errors: [{ message: String(error) }] }));
      },
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.SQL_FLOOR_PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`sql floor on http://127.0.0.1:${port}/`);
});

const stop = () => {
  server.close();
  db.end({ timeout: 2 }).finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
