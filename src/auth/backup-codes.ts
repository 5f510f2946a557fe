// Backup codes: 10 codes `XXXX-XXXX` (40 bits each), stored as HMAC-SHA-256 under a key derived from
// SECRETS_KEY. Not Argon2: ten slow verifications per attempt would be a denial-of-service lever.
import type { Random } from '../ports/random.ts';
import { hmacHex } from './secret-box.ts';

// Crockford's base32: no I, L, O or U, so a code read aloud or typed survives.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const BACKUP_CODE_COUNT = 10;

export function newBackupCodes(random: Random): string[] {
  return Array.from({ length: BACKUP_CODE_COUNT }, () => {
    const chars = [...random.bytes(8)].map((b) => ALPHABET[b & 31]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4)}`;
  });
}

/** Case, spaces and dashes do not matter; Crockford's lookalikes are folded. */
export function normalizeBackupCode(code: string): string | undefined {
  const clean = code.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  return /^[0-9A-HJKMNP-TV-Z]{8}$/.test(clean) ? clean : undefined;
}

export function backupCodeHash(secretsKey: string, userId: string, code: string): Promise<string> {
  return hmacHex(secretsKey, `${userId}:${code}`);
}
