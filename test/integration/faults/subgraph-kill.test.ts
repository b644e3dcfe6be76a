// A subgraph killed mid-load (SIGKILL, its process gone): the other departments keep answering, its fields answer
// SUBGRAPH_UNAVAILABLE naming it, at once (its circuit open) rather than each call failing on its own; started
// again, it is served within 2 s. Every answer with holder data has its audit record, and the chain verifies.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { killAll, startProcessHub, type ProcessHub } from '../../support/processes.js';
import { ask, expectAudited, expectCodedErrors, failures, registerHolders, type Answer, askRound } from './support.js';

const VICTIM = 'culture-tourism';
let hub: ProcessHub;
let ids: string[];

beforeAll(async () => {
  hub = await startProcessHub({ subgraphs: ['hr', VICTIM] });
  ids = await registerHolders(hub, 3);
});
afterAll(async () => {
  await hub?.close();
  await killAll();
});

const round = (n: number) => askRound(hub, ids, n);

it('keeps serving the other departments while one is killed, and serves it again within 2 s of its restart', async () => {
  const answers: Answer[] = [];
  const before = await round(10);
  answers.push(...before);
  expect(before.flatMap(failures)).toEqual([]);

  // Killed with requests in flight.
  const load = round(40);
  await new Promise((resolve) => setTimeout(resolve, 20));
  hub.subgraphs.get(VICTIM)!.signal('SIGKILL');
  answers.push(...(await load));
  await hub.subgraphs.get(VICTIM)!.exited;

  // While it is gone: hr answers every holder; the venues answer SUBGRAPH_UNAVAILABLE naming culture-tourism.
  const during = await round(30);
  answers.push(...during);
  for (const a of during) {
    expect(a.body.data?.holder?.name).toBe('陈小明');
    expect(failures(a)).toEqual([`SUBGRAPH_UNAVAILABLE:${VICTIM}`]);
  }
  // Its circuit is open: refused at once, not each call failing on its own.
  const fast = await round(10);
  answers.push(...fast);
  expect(Math.max(...fast.map((a) => a.ms))).toBeLessThan(1_000);

  const ready = await fetch(new URL('/ready', hub.gatewayUrl));
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ status: 'ready', degraded: expect.arrayContaining([VICTIM]) });

  // Back: from the moment it listens again, its fields are served within 2 s.
  await hub.restartSubgraph(VICTIM);
  const restarted = Date.now();
  let recovered: number | undefined;
  while (Date.now() - restarted < 5_000) {
    const a = await ask(hub, ids[0]!);
    answers.push(a);
    if (failures(a).length === 0) {
      recovered = Date.now() - restarted;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  console.log(`faults: ${VICTIM} served again ${recovered} ms after its restart`);
  expect(recovered).toBeDefined();
  expect(recovered!).toBeLessThan(2_000);
  const after = await round(10);
  answers.push(...after);
  expect(after.flatMap(failures)).toEqual([]);

  expectCodedErrors(answers);
  await expectAudited(hub, answers);
}, 60_000);
