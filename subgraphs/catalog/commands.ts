// The catalog's writes: drafting, editing and publishing a catalog version, and registering credentials. Each runs
// once per idempotency key, in one transaction. Who may edit which catalog is checked here, on the caller the
// gateway vouched for: the provincial platform the provincial catalog, a city platform its own city's, a
// department only its own credentials (the gateway lets all three write the catalog domain, write-domain.ts).
import type { Db } from '../../core/database.js';
import { ErrorCode, badInput, databaseErrorOf, hubError } from '../../core/protocol/errors.js';
import type { CallerClaims } from '../../core/protocol/gateway-proof.js';
import { PROVINCE_CODE, readCityCode } from '../kit/cities.js';
import { once } from '../kit/idempotency.js';
import { isUuid, readText } from '../kit/text.js';
import { chinaDate, readDate } from '../kit/time.js';
import { readCategory, readCode, readCredentialKind, readItem, readTexts, type ItemInput } from './inputs.js';
import * as repo from './repository.js';
import { idempotencyKeys, type VersionRow } from './tables.js';

export interface CatalogDeps {
  db: Db;
}

/** The catalog a caller edits: the province's for the provincial platform, its own for a city platform. */
function checkEditor(caller: CallerClaims, scope: string, field = 'scope'): void {
  const own = caller.kind === 'PROVINCE' ? PROVINCE_CODE : caller.kind === 'CITY' ? caller.city : null;
  if (own === scope) return;
  throw hubError(
    ErrorCode.FORBIDDEN,
    scope === PROVINCE_CODE
      ? `Client ${caller.client} may not edit the provincial catalog: the provincial platform does`
      : `Client ${caller.client} may not edit city ${scope}'s catalog: that city's platform does`,
    { field },
  );
}

/** The published-version trigger's refusal (SQLSTATE 55000), should a write race a publication past our check. */
function publishedRefusal(error: unknown): never {
  if (databaseErrorOf(error).code === '55000')
    throw hubError(ErrorCode.CATALOG_VERSION_PUBLISHED, 'This catalog version has been published and never changes');
  throw error;
}

/**
 * Runs `work` once per key in one transaction. `check` runs first, before the key is looked up: a replay answers
 * what the first run stored, so who may make the write is checked on every attempt, not only on the first.
 */
const write = <T>(
  deps: CatalogDeps,
  key: string,
  operation: string,
  payload: unknown,
  work: (tx: Db) => Promise<T>,
  check: (tx: Db) => Promise<void> = async () => {},
) =>
  deps.db
    .transaction(async (tx) => {
      await check(tx);
      return (await once(tx, idempotencyKeys, { key, operation, payload }, () => work(tx))).result;
    })
    .catch(publishedRefusal);

/** NOT_FOUND for no such version, FORBIDDEN for a caller who may not edit its catalog (its scope never changes). */
async function checkVersionEditor(tx: Db, caller: CallerClaims, versionId: string): Promise<void> {
  const [version] = isUuid(versionId) ? await repo.findVersionsByIds(tx, [versionId]) : [];
  if (!version) throw hubError(ErrorCode.NOT_FOUND, 'No catalog version with this id', { field: 'versionId' });
  checkEditor(caller, version.scope, 'versionId');
}

/** The draft `versionId` names, locked (its editor checked before, checkVersionEditor); refused once published. */
async function editableDraft(tx: Db, versionId: string): Promise<VersionRow> {
  const version = (await repo.lockVersion(tx, versionId))!;
  if (version.status === 'PUBLISHED')
    throw hubError(
      ErrorCode.CATALOG_VERSION_PUBLISHED,
      `Version ${version.version} of catalog ${version.scope} is published and never changes; create a draft to change it`,
      { field: 'versionId' },
    );
  return version;
}

/** A write to the draft `input.versionId`: its editor checked before the key is, then the draft locked for `work`. */
const draftWrite = <T>(
  deps: CatalogDeps,
  caller: CallerClaims,
  input: { idempotencyKey: string; versionId: string },
  operation: string,
  payload: unknown,
  work: (tx: Db, version: VersionRow) => Promise<T>,
) =>
  write(
    deps,
    input.idempotencyKey,
    operation,
    payload,
    async (tx) => work(tx, await editableDraft(tx, input.versionId)),
    (tx) => checkVersionEditor(tx, caller, input.versionId),
  );

/** A city catalog adds to the provincial one: none of its items may carry a provincial item's code. */
async function refuseProvincialCodes(
  tx: Db,
  version: VersionRow,
  codes: string[],
  doing: string,
  field = 'item.code',
): Promise<void> {
  if (version.scope === PROVINCE_CODE) return;
  const taken = await repo.provincialCodes(tx, PROVINCE_CODE, codes);
  if (taken.length > 0)
    throw hubError(
      ErrorCode.CATALOG_PROVINCIAL_ITEM,
      `A city catalog may not ${doing} ${taken.join(', ')}: the provincial catalog's items are in every city's`,
      { field, item: taken[0] },
    );
}

/** A new draft of the scope's catalog, holding the items of its latest published version. */
export async function createDraft(
  deps: CatalogDeps,
  caller: CallerClaims,
  input: { idempotencyKey: string; scope: string },
): Promise<string> {
  const scope = readCityCode(input.scope, 'scope', { province: true });
  checkEditor(caller, scope);
  return write(deps, input.idempotencyKey, 'createCatalogDraft', { scope }, async (tx) => {
    const latest = await repo.latestVersionOf(tx, scope);
    const draft =
      latest?.status === 'DRAFT' ? undefined : await repo.insertDraft(tx, scope, (latest?.version ?? 0) + 1);
    if (!draft)
      throw hubError(ErrorCode.BAD_USER_INPUT, `Catalog ${scope} already has a draft; edit or publish it first`, {
        field: 'scope',
        ...(latest ? { versionId: latest.id } : {}),
      });
    if (latest) await repo.copyItems(tx, latest.id, draft.id);
    return draft.id;
  });
}

export async function putItem(
  deps: CatalogDeps,
  caller: CallerClaims,
  input: { idempotencyKey: string; versionId: string; item: ItemInput },
): Promise<string> {
  const item = readItem(input.item);
  const payload = { versionId: input.versionId, item };
  return draftWrite(deps, caller, input, 'putCatalogItem', payload, async (tx, version) => {
    await refuseProvincialCodes(tx, version, [item.code], 'override provincial item');
    await repo.upsertItem(tx, { versionId: version.id, ...item });
    return version.id;
  });
}

export async function removeItem(
  deps: CatalogDeps,
  caller: CallerClaims,
  input: { idempotencyKey: string; versionId: string; code: string },
): Promise<string> {
  const code = readCode(input.code, 'code');
  const payload = { versionId: input.versionId, code };
  return draftWrite(deps, caller, input, 'removeCatalogItem', payload, async (tx, version) => {
    await refuseProvincialCodes(tx, version, [code], 'remove provincial item', 'code');
    if (!(await repo.deleteItem(tx, version.id, code))) throw badInput(`The draft holds no item ${code}`, 'code');
    return version.id;
  });
}

/**
 * Publishes a draft from `effectiveFrom` on: today or later (a catalog does not change what was in force), and
 * after every published version of the same catalog takes effect, so each day has one version in force.
 */
export async function publishVersion(
  deps: CatalogDeps,
  caller: CallerClaims,
  input: { idempotencyKey: string; versionId: string; effectiveFrom: string },
  now = new Date(),
): Promise<string> {
  const effectiveFrom = readDate(input.effectiveFrom, 'effectiveFrom');
  const today = chinaDate(now);
  if (effectiveFrom < today)
    throw badInput(`effectiveFrom must be today (${today}) or later: what was in force stays so`, 'effectiveFrom');
  const payload = { versionId: input.versionId, effectiveFrom };
  return draftWrite(deps, caller, input, 'publishCatalogVersion', payload, async (tx, version) => {
    const last = await repo.lastEffectiveFrom(tx, version.scope);
    if (last !== null && effectiveFrom <= last)
      throw badInput(
        `effectiveFrom must be after ${last}, when catalog ${version.scope}'s latest version takes effect`,
        'effectiveFrom',
      );
    const items = await repo.itemsOfVersions(tx, [version.id]);
    if (items.length === 0) throw badInput('A catalog version needs at least one item to be published', 'versionId');
    // The province may have added a city's code since the city drafted it.
    const codes = items.map((i) => i.code);
    await refuseProvincialCodes(tx, version, codes, 'carry provincial item', 'versionId');
    await repo.publish(tx, version.id, effectiveFrom, now);
    return version.id;
  });
}

export interface RegisterCredentialInput {
  idempotencyKey: string;
  code: string;
  name: string;
  kind: string;
  category: string;
  scenarios: string[];
  city?: string | null;
  /** Set for a credential a national rule requires (Art 6 ¶4): the rule. */
  nationalBasis?: string | null;
}

const normalised = (scenario: string) => scenario.replace(/\s+/g, '').toLowerCase();

/**
 * The codes of the catalog items in force on `day` (the province's, and the credential's city's) whose function
 * the credential's would duplicate: the same category and a scenario in common.
 */
async function duplicatesOf(
  tx: Db,
  credential: { category: string; scenarios: string[]; city: string | null },
  day: string,
): Promise<string[]> {
  const scopes = credential.city ? [PROVINCE_CODE, credential.city] : [PROVINCE_CODE];
  const versions = await repo.versionsInForce(tx, scopes, day);
  if (versions.length === 0) return [];
  const wanted = new Set(credential.scenarios.map(normalised));
  const items = await repo.itemsOfVersions(
    tx,
    versions.map((v) => v.id),
  );
  const codes = items
    .filter((i) => i.category === credential.category && i.scenarios.some((s) => wanted.has(normalised(s))))
    .map((i) => i.code);
  return [...new Set(codes)].sort();
}

/** A refusal that rolls the write back, for the attempt to be kept after. */
class Duplicate extends Error {
  constructor(readonly duplicates: string[]) {
    super('duplicate credential');
  }
}

/**
 * Registers a credential of the calling department. One whose function (category and a scenario) a catalog item
 * in force today already serves is refused as DUPLICATE_CREDENTIAL, and the attempt kept for governance; unless a
 * national rule requires it (nationalBasis), when it is recorded as INTEGRATED with the card.
 */
export async function registerCredential(
  deps: CatalogDeps,
  caller: CallerClaims,
  input: RegisterCredentialInput,
  now = new Date(),
): Promise<string> {
  if (caller.kind !== 'DEPARTMENT' || !caller.domain)
    throw hubError(
      ErrorCode.FORBIDDEN,
      `Client ${caller.client} is no department: departments register their own credentials`,
    );
  const command = {
    department: caller.domain,
    code: readCode(input.code, 'code'),
    name: readText(input.name, 'name', 100),
    kind: readCredentialKind(input.kind, 'kind'),
    category: readCategory(input.category, 'category'),
    scenarios: readTexts(input.scenarios, 'scenarios', true),
    city: input.city ? readCityCode(input.city, 'city') : null,
    nationalBasis: input.nationalBasis ? readText(input.nationalBasis, 'nationalBasis', 200) : null,
  };
  try {
    return await write(deps, input.idempotencyKey, 'registerCredential', command, async (tx) => {
      const duplicates = await duplicatesOf(tx, command, chinaDate(now));
      if (duplicates.length > 0 && !command.nationalBasis) throw new Duplicate(duplicates);
      const row = await repo.insertCredential(tx, {
        ...command,
        status: duplicates.length > 0 ? 'INTEGRATED' : 'REGISTERED',
        integratedWith: duplicates,
        registeredBy: caller.client,
      });
      if (!row) throw badInput(`${command.department} has already registered credential ${command.code}`, 'code');
      return row.id;
    });
  } catch (error) {
    if (!(error instanceof Duplicate)) throw error;
    // Kept apart from the write it refused, which rolled back; once per department and key, so a retry is the same
    // attempt and another department's reusing the key is an attempt of its own.
    const { nationalBasis: _none, ...attempt } = command;
    await repo.recordRefusal(deps.db, {
      ...attempt,
      idempotencyKey: input.idempotencyKey,
      duplicates: error.duplicates,
      attemptedBy: caller.client,
    });
    throw hubError(
      ErrorCode.DUPLICATE_CREDENTIAL,
      `The card already serves this function (catalog items ${error.duplicates.join(', ')}): no separate credential (Art 6)`,
      { field: 'scenarios', duplicates: error.duplicates },
    );
  }
}
