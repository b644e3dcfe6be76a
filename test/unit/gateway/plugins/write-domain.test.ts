// Who may write which domain (gateway/plugins/write-domain.ts): a department its own and the catalog (its own
// credentials, which the catalog subgraph checks), the platforms hr and the catalog (their own catalog, checked
// there too), governance only governance; and a mutation reaching a domain its client may not write is refused
// whole, through fragments, before any fetch.
import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  CATALOG_DOMAIN,
  GOVERNANCE_DOMAIN,
  mayWrite,
  writeDomainPlugin,
} from '../../../../gateway/plugins/write-domain.js';
import type { Client } from '../../../../store/clients/client.js';

const client = (kind: Client['kind'], extra: Partial<Client> = {}): Client => ({
  id: `${kind.toLowerCase()}-test`,
  kind,
  name: kind,
  city: kind === 'CITY' ? '440100' : null,
  domain: null,
  purposes: [],
  status: 'ACTIVE',
  requestsPerMinute: 60,
  ...extra,
});

const health = client('DEPARTMENT', { domain: 'health' });

describe('mayWrite', () => {
  it('lets a department write its own domain and the catalog, nothing else', () => {
    expect(mayWrite(health, 'health')).toBe(true);
    expect(mayWrite(health, CATALOG_DOMAIN)).toBe(true);
    expect(mayWrite(health, 'hr')).toBe(false);
    expect(mayWrite(health, GOVERNANCE_DOMAIN)).toBe(false);
    // A register entry naming governance (or the catalog) as its domain gives no power over the register.
    expect(mayWrite(client('DEPARTMENT', { domain: GOVERNANCE_DOMAIN }), GOVERNANCE_DOMAIN)).toBe(false);
  });

  it('lets the provincial and city platforms write hr and the catalog', () => {
    for (const platform of [client('PROVINCE'), client('CITY')]) {
      expect(mayWrite(platform, 'hr')).toBe(true);
      expect(mayWrite(platform, CATALOG_DOMAIN)).toBe(true);
      expect(mayWrite(platform, 'health')).toBe(false);
      expect(mayWrite(platform, GOVERNANCE_DOMAIN)).toBe(false);
    }
  });

  it('lets governance write governance alone, not the catalog', () => {
    expect(mayWrite(client('GOVERNANCE'), GOVERNANCE_DOMAIN)).toBe(true);
    expect(mayWrite(client('GOVERNANCE'), CATALOG_DOMAIN)).toBe(false);
    expect(mayWrite(client('GOVERNANCE'), 'hr')).toBe(false);
  });
});

describe('the write-domain plugin', () => {
  const owners = new Map([
    ['registerCredential', CATALOG_DOMAIN],
    ['recordMedicalVisit', 'health'],
    ['registerHolder', 'hr'],
  ]);
  const check = async (who: Client, source: string) => {
    const document = parse(source);
    const operation = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
    const listener = await writeDomainPlugin(owners).requestDidStart!({} as any);
    return (listener as any).didResolveOperation({ operation, document, contextValue: { caller: { client: who } } });
  };

  it("passes a department's catalog and own writes, and refuses another domain's through a fragment", async () => {
    await expect(
      check(health, 'mutation { registerCredential { id } recordMedicalVisit { id } }'),
    ).resolves.toBeUndefined();
    await expect(
      check(health, 'mutation { ...W } fragment W on Mutation { registerCredential { id } registerHolder { id } }'),
    ).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN', coordinate: 'Mutation.registerHolder', domain: 'hr' } });
  });

  it("refuses governance the catalog's writes", async () => {
    await expect(check(client('GOVERNANCE'), 'mutation { registerCredential { id } }')).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', domain: CATALOG_DOMAIN, http: { status: 403 } },
    });
    await expect(check(client('CITY'), 'mutation { registerCredential { id } }')).resolves.toBeUndefined();
  });
});
