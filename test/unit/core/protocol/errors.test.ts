// What leaves in an error and what reaches the log: a subgraph's HTTP answer never reaches the caller whatever the
// code, a subgraph's internal error is logged by its code and message (not "[object Object]") and names its service,
// log values are bounded, and a database that cannot be reached is told from a failed statement.
import { GraphQLError } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { formatError, isDatabaseUnreachable, logBounded } from '../../../../core/protocol/errors.js';

describe('formatError', () => {
  it('names the field of a variable GraphQL refused, as our own refusals name theirs', () => {
    const refused = (message: string) =>
      formatError({ message, extensions: { code: 'BAD_USER_INPUT' } }, new GraphQLError(message)).extensions;
    expect(
      refused('Variable "$input" got invalid value "X" at "input.scheme"; Value "X" does not exist in "Scheme" enum.'),
    ).toEqual({ code: 'BAD_USER_INPUT', field: 'scheme' });
    expect(refused('Variable "$input" got invalid value 1.5 at "input.rows[2].fen"; Int cannot represent it')).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'rows[2].fen',
    });
    expect(refused('Variable "$card" of required type "String!" was not provided.')).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'card',
    });
    // A field already named, or a message of another shape, is left as it is.
    expect(
      formatError(
        { message: 'Variable "$a" of x', extensions: { code: 'BAD_USER_INPUT', field: 'idNumber' } },
        new GraphQLError(''),
      ).extensions,
    ).toEqual({ code: 'BAD_USER_INPUT', field: 'idNumber' });
    expect(refused('Card number "x" is malformed')).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('strips a relayed subgraph answer (extensions.response) whatever the code', () => {
    const response = { url: 'http://10.0.0.7:4001/graphql', status: 401, body: { errors: [] } };
    const formatted = formatError(
      { message: '401: Unauthorized', extensions: { code: 'UNAUTHENTICATED', response, stacktrace: ['x'] } },
      new GraphQLError('401: Unauthorized'),
    );
    expect(formatted).toEqual({ message: '401: Unauthorized', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('logs a subgraph’s internal error by its code and message, bounded, and names the service', () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const relayed = { message: 'x'.repeat(2_000), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      const error = new GraphQLError(relayed.message, { originalError: relayed as unknown as Error, path: ['holder'] });
      const formatted = formatError(
        {
          message: relayed.message,
          path: ['holder'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'hr' },
        },
        error,
      );
      expect(formatted).toEqual({
        message: 'Internal server error',
        path: ['holder'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'hr' },
      });
      const [prefix, detail] = logged.mock.calls[0] as [string, string];
      expect(prefix).toBe('internal error from subgraph hr:');
      expect(detail).toMatch(/^INTERNAL_SERVER_ERROR: x+…/);
      expect(detail.length).toBeLessThan(600);
      expect(detail).not.toContain('[object Object]');
    } finally {
      logged.mockRestore();
    }
  });
});

describe('logBounded', () => {
  it('keeps a short value and cuts a long one', () => {
    expect(logBounded('short')).toBe('short');
    expect(logBounded('y'.repeat(10_000)).length).toBeLessThan(550);
  });
});

describe('isDatabaseUnreachable', () => {
  it('finds a connection failure under drizzle’s wrapping, not a failed statement', () => {
    const wrap = (cause: unknown) => Object.assign(new Error('Failed query: select …'), { cause });
    expect(isDatabaseUnreachable(wrap(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })))).toBe(true);
    expect(isDatabaseUnreachable(wrap(Object.assign(new Error('shutting down'), { code: '57P01' })))).toBe(true);
    expect(isDatabaseUnreachable(wrap(Object.assign(new Error('timeout'), { code: 'CONNECT_TIMEOUT' })))).toBe(true);
    expect(
      isDatabaseUnreachable(
        wrap(new AggregateError([Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })], 'refused')),
      ),
    ).toBe(true);
    expect(isDatabaseUnreachable(wrap(Object.assign(new Error('duplicate'), { code: '23505' })))).toBe(false);
    expect(isDatabaseUnreachable(new Error('bug'))).toBe(false);
  });
});
