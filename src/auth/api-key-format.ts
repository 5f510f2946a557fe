// API key text: `<prefix>_<live|test>_<43 base62 chars of 256 random bits><6 base62 chars of CRC-32>`.
// The checksum lets secret scanners recognise a leaked key and refuses a mistyped or forged one before any
// lookup. It is integrity, not secrecy: the 256 random bits are the secret.
import type { Random } from '../ports/random.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_CHARS = 43;
const CHECKSUM_CHARS = 6;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE 802.3, as zlib computes it) of ASCII text. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function toBase62(value: bigint, width: number): string {
  let out = '';
  let v = value;
  while (v > 0n) {
    out = BASE62[Number(v % 62n)] + out;
    v /= 62n;
  }
  return out.padStart(width, '0');
}

export function keyPrefix(apiKeyPrefix: string, production: boolean): string {
  return `${apiKeyPrefix}_${production ? 'live' : 'test'}_`;
}

export function newApiKey(random: Random, prefix: string): string {
  const bytes = random.bytes(32);
  const value = bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const body = prefix + toBase62(value, RANDOM_CHARS);
  return body + toBase62(BigInt(crc32(body)), CHECKSUM_CHARS);
}

/** True when the text has our shape and its checksum matches: only then is it worth a lookup. */
export function isWellFormedApiKey(key: string, prefix: string): boolean {
  if (key.length !== prefix.length + RANDOM_CHARS + CHECKSUM_CHARS || !key.startsWith(prefix)) return false;
  if (!/^[0-9A-Za-z]+$/.test(key.slice(prefix.length))) return false;
  const body = key.slice(0, -CHECKSUM_CHARS);
  return toBase62(BigInt(crc32(body)), CHECKSUM_CHARS) === key.slice(-CHECKSUM_CHARS);
}
