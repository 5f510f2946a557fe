// Admin list cursors: only what the API wrote can reach the query.
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/auth/admin.ts';
import { base64url } from 'jose';

const id = '0b5e2c5e-8a7c-4c1e-9d4b-3f8a2b1c0d9e';

describe('cursors', () => {
  it('round-trips a row position', () => {
    const at = new Date(Date.UTC(2026, 11, 1, 12, 30, 0, 123));
    expect(decodeCursor(encodeCursor({ createdAt: at, id }))).toEqual({ createdAt: at, id });
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  it('threat: a forged cursor with a date Postgres cannot hold, or another id, is 422', () => {
    const forged = [
      '-271821-04-20T00:00:00.000Z',
      '+275760-09-13T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '2026-02-30T00:00:00.000Z',
      '2026-12-01T12:30:00Z',
    ].map((at) => base64url.encode(`${at}|${id}`));
    forged.push(
      base64url.encode(`2026-12-01T12:30:00.000Z|${'-'.repeat(36)}`),
      base64url.encode(`2026-12-01T12:30:00.000Z|${id}|x`),
      '!!!',
      'a',
    );
    for (const cursor of forged) {
      expect(() => decodeCursor(cursor), cursor).toThrow(
        expect.objectContaining({ code: 'validation_failed', status: 422 }),
      );
    }
  });
});
