// One normalisation for storing and for looking up, so that case or Unicode lookalike variants of a name can
// neither register twice nor dodge a lockout or a rate limit.
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;

export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFKC').toLowerCase();
}

export function normalizeUsername(username: string): string {
  return username.trim().normalize('NFKC').toLowerCase();
}

/** A login name is an email or a username; both normalise the same way. */
export function normalizeLoginName(name: string): string {
  return name.trim().normalize('NFKC').toLowerCase();
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * False for text with a lone UTF-16 surrogate (JSON can escape one: `"\ud800"`): no character, not storable
 * as text or jsonb in Postgres, and never part of a name or address anyone registered.
 */
export const isWellFormed = (text: string) => !LONE_SURROGATE.test(text);

/** Passwords are never trimmed or truncated; NFC only, so the same typed text always hashes the same. */
export function normalizePassword(password: string): string {
  return password.normalize('NFC');
}
