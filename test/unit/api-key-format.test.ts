// The API-key text format of API.md: checksummed, so secret scanners and our own check refuse a forgery.
import { describe, expect, it } from 'vitest';
import { crc32, isWellFormedApiKey, keyPrefix, newApiKey, toBase62 } from '../../src/auth/api-key-format.ts';
import { cryptoRandom } from '../../src/ports/random.ts';

describe('API-key format', () => {
  it("uses zlib's CRC-32 and base62 in 0-9A-Za-z order", () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
    expect(toBase62(61n, 2)).toBe('0z');
    expect(toBase62(62n, 2)).toBe('10');
  });

  it('makes pk_live_ keys in production and pk_test_ elsewhere, 49 characters after the prefix', () => {
    expect(keyPrefix('pk', true)).toBe('pk_live_');
    const key = newApiKey(cryptoRandom, keyPrefix('pk', false));
    expect(key).toMatch(/^pk_test_[0-9A-Za-z]{49}$/);
    expect(isWellFormedApiKey(key, 'pk_test_')).toBe(true);
    const body = key.slice(0, -6);
    expect(key.slice(-6)).toBe(toBase62(BigInt(crc32(body)), 6));
  });

  it('threat: a mistyped, truncated or forged key is refused before any lookup', () => {
    const key = newApiKey(cryptoRandom, 'pk_test_');
    const flip = (i: number) => key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1);
    const hostile = [
      flip(10),
      flip(key.length - 1),
      key.slice(0, -1),
      `${key}0`,
      key.replace('pk_test_', 'pk_live_'),
      `${key.slice(0, 20)}-${key.slice(21)}`,
      '',
    ];
    for (const forged of hostile) expect(isWellFormedApiKey(forged, 'pk_test_'), forged).toBe(false);
  });
});
