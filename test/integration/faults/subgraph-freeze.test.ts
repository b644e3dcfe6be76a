// A subgraph that stops answering (SIGSTOP: its connections accepted by the kernel, never answered). Requests
// touching it answer within its timeout (SUBGRAPH_TIMEOUT_MS_<DOMAIN>) and a margin, its circuit then opens and
// they fail at once, and after SIGCONT a probe finds it back. hr's fields keep answering throughout; every answer
// with holder data has its audit record, and the chain verifies.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { killAll, startProcessHub, type ProcessHub } from '../../support/processes.js';
import { ask, expectAudited, expectCodedErrors, failures, registerHolders, type Answer, askRound } from './support.js';

const VICTIM = 'culture-tourism';
const TIMEOUT_MS = 1_500;
const MAX_SOCKETS = 8;
let hub: ProcessHub;
let ids: string[];

beforeAll(async () => {
  hub = await startProcessHub({
    subgraphs: ['hr', VICTIM],
    env: {
      SUBGRAPH_TIMEOUT_MS_CULTURE_TOURISM: String(TIMEOUT_MS),
      SUBGRAPH_BREAKER_RESET_MS: '1000',
      SUBGRAPH_MAX_SOCKETS: String(MAX_SOCKETS),
    },
  });
  ids = await registerHolders(hub, 3);
});
afterAll(async () => {
  await hub?.close();
  await killAll();
});

/** Established TCP connections to the port a subgraph's start line names (its end of them included). */
function connectionsTo(output: string): number {
  const port = /on http:\/\/127\.0\.0\.1:(\d+)\//.exec(output)![1];
  const listed = spawnSync('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  return listed.stdout.split('\n').filter(Boolean).length;
}

const round = (n: number) => askRound(hub, ids, n);

it('answers within the timeout while a subgraph is frozen, then fails fast, and recovers after SIGCONT', async () => {
  const answers: Answer[] = [];
  const warm = await round(10);
  answers.push(...warm);
  expect(warm.flatMap(failures)).toEqual([]);

  const victim = hub.subgraphs.get(VICTIM)!;
  victim.signal('SIGSTOP');
  try {
    const pending = round(20);
    // However many calls wait on it, the gateway holds at most SUBGRAPH_MAX_SOCKETS connections to it.
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS / 2));
    const held = connectionsTo(victim.output());
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(MAX_SOCKETS);
    const frozen = await pending;
    answers.push(...frozen);
    for (const a of frozen) {
      expect(a.body.data?.holder?.name).toBe('陈小明');
      expect(failures(a)).toEqual([`SUBGRAPH_UNAVAILABLE:${VICTIM}`]);
      expect(a.ms).toBeLessThan(TIMEOUT_MS + 1_500);
    }
    // The circuit is open: no call waits out the timeout any more.
    const fast = await round(20);
    answers.push(...fast);
    expect(fast.flatMap(failures)).toEqual(Array(20).fill(`SUBGRAPH_UNAVAILABLE:${VICTIM}`));
    expect(Math.max(...fast.map((a) => a.ms))).toBeLessThan(TIMEOUT_MS / 2);

    const ready = await fetch(new URL('/ready', hub.gatewayUrl));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', degraded: expect.arrayContaining([VICTIM]) });
  } finally {
    victim.signal('SIGCONT');
  }

  const resumed = Date.now();
  let recovered: number | undefined;
  while (Date.now() - resumed < 6_000) {
    const a = await ask(hub, ids[0]!);
    answers.push(a);
    if (failures(a).length === 0) {
      recovered = Date.now() - resumed;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log(`faults: ${VICTIM} served again ${recovered} ms after SIGCONT`);
  expect(recovered).toBeDefined();
  const after = await round(10);
  answers.push(...after);
  expect(after.flatMap(failures)).toEqual([]);
  expect((await (await fetch(new URL('/ready', hub.gatewayUrl))).json()).degraded).not.toContain(VICTIM);

  expectCodedErrors(answers);
  await expectAudited(hub, answers);
}, 60_000);
