// The departments' PostgreSQL restarted under load (a private cluster this file starts, so nothing else is
// disturbed; the gateway keeps its own embedded database, so its audit trail stays up). While it is down, hr's
// fields answer SUBGRAPH_UNAVAILABLE naming hr, promptly (connection attempts are bounded), never
// INTERNAL_SERVER_ERROR; when it is back, service resumes by itself. Every answer with holder data has its audit
// record, and the chain verifies.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  killAll,
  startPrivatePostgres,
  startProcessHub,
  type PrivatePostgres,
  type ProcessHub,
} from '../../support/processes.js';
import { ask, expectAudited, expectCodedErrors, failures, registerHolders, type Answer, askRound } from './support.js';

let pg: PrivatePostgres;
let hub: ProcessHub;
let ids: string[];

beforeAll(async () => {
  pg = await startPrivatePostgres();
  hub = await startProcessHub({ subgraphs: ['hr', 'culture-tourism'], databaseUrl: pg.url, gatewayEmbedded: true });
  ids = await registerHolders(hub, 3);
});
afterAll(async () => {
  await hub?.close();
  await pg?.destroy();
  await killAll();
});

const round = (n: number) => askRound(hub, ids, n);

it('answers a coded SUBGRAPH_UNAVAILABLE while PostgreSQL is down, and serves again by itself when it is back', async () => {
  const answers: Answer[] = [];
  const warm = await round(10);
  answers.push(...warm);
  expect(warm.flatMap(failures)).toEqual([]);

  // Stopped with requests in flight.
  const load = round(20);
  await pg.stop();
  answers.push(...(await load));

  const down = await round(20);
  answers.push(...down);
  for (const a of down) {
    expect(a.body.data?.holder ?? null).toBeNull();
    expect(failures(a)).toContain('SUBGRAPH_UNAVAILABLE:hr');
    // Well within the gateway's 5 s subgraph timeout: the subgraph answers itself, it is not cut off.
    expect(a.ms).toBeLessThan(3_000);
  }
  expect(answers.flatMap(failures).filter((f) => f.startsWith('INTERNAL_SERVER_ERROR'))).toEqual([]);
  const ready = await fetch(new URL('/ready', hub.gatewayUrl));
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ degraded: expect.arrayContaining(['hr', 'culture-tourism']) });

  await pg.start();
  const back = Date.now();
  let recovered: number | undefined;
  while (Date.now() - back < 15_000) {
    const a = await ask(hub, ids[0]!);
    answers.push(a);
    if (failures(a).length === 0) {
      recovered = Date.now() - back;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log(`faults: served again ${recovered} ms after PostgreSQL restarted`);
  expect(recovered).toBeDefined();
  const after = await round(10);
  answers.push(...after);
  expect(after.flatMap(failures)).toEqual([]);

  expectCodedErrors(answers);
  await expectAudited(hub, answers);
}, 60_000);
