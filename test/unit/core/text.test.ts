// The one cap on client-supplied values in log lines and audit records (core/text.ts).
import { describe, expect, it } from 'vitest';
import { capped } from '../../../core/text.js';

describe('capped', () => {
  it('keeps a short value, cuts a long one naming its length, and never splits a surrogate pair', () => {
    expect(capped('banks')).toBe('banks');
    expect(capped('x'.repeat(100_000))).toBe(`${'x'.repeat(200)}…(100000 chars)`);
    expect(capped('😀'.repeat(5), 3)).toBe('😀😀😀…(5 chars)');
  });

  it('keeps a log line one line, unless told the value goes into a record', () => {
    expect(capped('a\nforged: line\r\n\u0000b')).toBe('a⏎forged: line⏎?b');
    expect(capped('a\nb', 200, false)).toBe('a\nb');
    expect(capped(42)).toBe('42');
  });
});
