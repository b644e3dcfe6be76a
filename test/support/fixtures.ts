// The hub fixture: a test file declares `const it = hubTest()` once, at its top level, and every test and hook of
// the file that destructures `{ hub }` gets the same started hub (test/support/hub.ts: every subgraph and the
// gateway over the file's own database).
//
//   const it = hubTest({ seedHolders: 100 });
//   it.beforeAll(async ({ hub }) => { await registerBank(hub, 'ICBC'); });
//   it('serves the bank', async ({ hub }) => { expect((await hub.ok('{ banks { code } }')).banks).toHaveLength(1); });
//
// The hub is file-scoped: started once, in a beforeAll of the file's own (so under the hook timeout, not the first
// test's), and closed, its database dropped, after the file's last afterAll hook: what a file's own afterAll
// closes (a second gateway in front of it, a writer on its database) is closed before the hub goes.
import { test as base } from 'vitest';
import { startTestHub, type TestHubOptions } from './hub.js';

export function hubTest(options: TestHubOptions = {}) {
  // vitest reads a fixture's dependencies from its first parameter, which must be a destructuring: none here.
  // eslint-disable-next-line no-empty-pattern
  const test = base.extend('hub', { scope: 'file' }, async ({}, { onCleanup }) => {
    const hub = await startTestHub(options);
    onCleanup(() => hub.close());
    return hub;
  });
  // Destructuring `hub` starts it; before the file's own beforeAll hooks, which run in the order declared.
  test.beforeAll(async ({ hub }) => void hub);
  return test;
}
