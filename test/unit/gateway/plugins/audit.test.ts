// The audit plugin's guard: one audit context per operation. HTTP batching is off (test/integration/
// audit-variables.test.ts sends a batch), so this is the second line: a second operation started on a context the
// plugin has seen is refused before it runs, whatever let it through.
import { describe, expect, it } from 'vitest';
import { auditPlugin } from '../../../../gateway/plugins/audit.js';
import type { AuditWriter } from '../../../../gateway/audit/writer.js';

const writer = { append: async () => {} } as unknown as AuditWriter;

describe('audit plugin', () => {
  it('refuses a second operation on a context another one already started on', async () => {
    const plugin = auditPlugin(writer, (t) => `hmac:${t}`);
    const context = { caller: {}, audit: {} };
    const first = await plugin.requestDidStart!({ contextValue: context } as any);
    await expect((first as any).didResolveOperation({})).resolves.toBeUndefined();
    const second = await plugin.requestDidStart!({ contextValue: context } as any);
    await expect((second as any).didResolveOperation({})).rejects.toMatchObject({
      extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
    });
    const other = await plugin.requestDidStart!({ contextValue: { caller: {}, audit: {} } } as any);
    await expect((other as any).didResolveOperation({})).resolves.toBeUndefined();
  });
});
