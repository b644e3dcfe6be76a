// Registering and finding holders through the gateway, including Hong Kong, Macau and Taiwan residents (Art 10).
import { describe, expect } from 'vitest';
import { checkCharacter } from '../../subgraphs/hr/identifiers.js';
import { hubTest } from '../support/fixtures.js';
import { codes } from '../support/hub.js';
import { key, registerHolder } from '../support/hr.js';
import { idNumber } from '../support/identities.js';

const it = hubTest();

const REGISTER = `mutation($input: RegisterHolderInput!) { registerHolder(input: $input) { id idType idNumber gender birthDate phone registeredCity createdAt } }`;

describe('registering a holder', () => {
  it('takes gender and birth date from an ID number', async ({ hub }) => {
    const number = idNumber('440303', '19850614', false);
    const data = await hub.ok(REGISTER, {
      input: {
        idempotencyKey: key(),
        idType: 'RESIDENT_ID',
        idNumber: number,
        name: '黄丽',
        registeredCity: '440300',
        phone: '139-0000-1111',
      },
    });
    expect(data.registerHolder).toMatchObject({
      idType: 'RESIDENT_ID',
      idNumber: number,
      gender: 'FEMALE',
      birthDate: '1985-06-14',
      phone: '13900001111',
      registeredCity: '440300',
    });
    expect(data.registerHolder.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('registers Hong Kong residents by residence permit and by travel permit', async ({ hub }) => {
    const permit = await hub.ok(REGISTER, {
      input: {
        idempotencyKey: key(),
        idType: 'HK_MACAU_RESIDENCE_PERMIT',
        idNumber: idNumber('810000', '19900101'),
        name: '陳大文',
        registeredCity: '440300',
      },
    });
    expect(permit.registerHolder.birthDate).toBe('1990-01-01');
    const travel = await hub.ok(REGISTER, {
      input: {
        idempotencyKey: key(),
        idType: 'HK_MACAU_TRAVEL_PERMIT',
        idNumber: 'H8765432101',
        name: '李小龍',
        registeredCity: '440300',
        gender: 'MALE',
        birthDate: '1970-11-27',
        phone: '+85291234567',
      },
    });
    expect(travel.registerHolder).toMatchObject({ idNumber: 'H8765432101', gender: 'MALE', birthDate: '1970-11-27' });
  });

  it('refuses an invalid ID number with BAD_USER_INPUT saying what is wrong', async ({ hub }) => {
    const first17 = '44010619900307123';
    const wrong = first17 + (checkCharacter(first17) === '1' ? '2' : '1');
    const result = await hub.query(REGISTER, {
      input: { idempotencyKey: key(), idType: 'RESIDENT_ID', idNumber: wrong, name: '张三', registeredCity: '440100' },
    });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0]!.message).toMatch(/check character is \w but should be \w/);
    expect(result.errors![0]!.extensions!.field).toBe('idNumber');
    expect(result.data).toBeNull();
  });

  it.for<[Record<string, string>, string]>([
    [{ registeredCity: '110100' }, 'registeredCity'],
    [{ idType: 'TAIWAN_TRAVEL_PERMIT', idNumber: '12345678' }, 'birthDate'],
    [{ birthDate: '1991-01-01' }, 'birthDate'],
    [{ phone: '12345' }, 'phone'],
    [{ name: '  ' }, 'name'],
  ])('refuses %o naming the field', async ([overrides, field], { hub }) => {
    const input = {
      idempotencyKey: key(),
      idType: 'RESIDENT_ID',
      idNumber: idNumber('440106', '19900307'),
      name: '张三',
      registeredCity: '440100',
      ...overrides,
    };
    const result = await hub.query(REGISTER, { input });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0]!.extensions!.field).toBe(field);
  });

  it('refuses registering one ID number twice', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const result = await hub.query(REGISTER, {
      input: {
        idempotencyKey: key(),
        idType: 'RESIDENT_ID',
        idNumber: holder.idNumber,
        name: '另一人',
        registeredCity: '440100',
      },
    });
    expect(codes(result)).toEqual(['HOLDER_ALREADY_REGISTERED']);
  });
});

describe('finding holders', () => {
  it('finds one holder by ID number, whatever the case of its X', async ({ hub }) => {
    const holder = await registerHolder(hub, { idNumber: '11010519491231002X', name: '王芳' });
    const data = await hub.ok(`{ holder(idNumber: "11010519491231002x") { id name } }`);
    expect(data.holder).toEqual({ id: holder.id, name: '王芳' });
    expect(codes(await hub.query(`{ holder(idNumber: "${idNumber('440106', '19600101')}") { id } }`))).toEqual([
      'HOLDER_NOT_FOUND',
    ]);
    expect(codes(await hub.query(`{ holder(idNumber: "440106199003071234") { id } }`))).toEqual(['BAD_USER_INPUT']);
  });

  it('returns up to 100 holders in input order with null for unknown numbers', async ({ hub }) => {
    const a = await registerHolder(hub);
    const b = await registerHolder(hub);
    const unknown = idNumber('440106', '19710101');
    const data = await hub.ok(`query($ids: [String!]!) { holders(idNumbers: $ids) { id } }`, {
      ids: [b.idNumber, unknown, a.idNumber, b.idNumber],
    });
    expect(data.holders).toEqual([{ id: b.id }, null, { id: a.id }, { id: b.id }]);
  });

  it('refuses more than 100 numbers, and names a malformed one', async ({ hub }) => {
    const many = Array.from({ length: 101 }, () => idNumber('440106', '19800101'));
    const tooMany = await hub.query(`query($ids: [String!]!) { holders(idNumbers: $ids) { id } }`, { ids: many });
    expect(codes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.errors![0]!.message).toContain('At most 100');
    const bad = await hub.query(`query($ids: [String!]!) { holders(idNumbers: $ids) { id } }`, {
      ids: [many[0], 'garbage'],
    });
    expect(bad.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idNumbers[1]' });
  });
});
