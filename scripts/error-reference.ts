// docs/errors.md, generated from the one error catalogue (src/auth/errors.ts): every machine code with its
// status (and named variants), its WWW-Authenticate challenge, and what it means for a client.
// `npm run docs:errors` writes it; test/unit/error-reference.test.ts fails when the file and the catalogue drift.
import { challengeHeader, ERROR_CATALOGUE, type CatalogueEntry, type ErrorCode } from '../src/auth/errors.ts';

/** What each code tells a client, and what it should do. Every code of the catalogue needs one. */
export const MEANINGS: Record<ErrorCode, string> = {
  authentication_required:
    'No credentials were sent: send an access token (or an API key where the route takes one).',
  validation_failed: 'The request did not pass validation; `errors: [{path, message}]` says where.',
  invalid_body: 'The body is not valid JSON (or not valid UTF-8).',
  payload_too_large: 'The body is over 64 KiB.',
  already_exists: 'The email or username is taken; `field` says which.',
  weak_password:
    'The password breaks the policy; `issues` lists why (the same list `POST /auth/password/check` gives).',
  password_reused: 'The new password is the current one.',
  unsupported_media_type:
    'The body has a media type the route does not take (JSON; the login also takes the OAuth2 password form).',
  invalid_credentials:
    'Wrong username or password (401, the same for an unknown user); a wrong current password from a signed-in caller (403).',
  account_locked:
    'Too many failures: the account (or login name) is locked for `LOCKOUT_MINUTES`, even for the right password.',
  account_inactive: 'The account was deactivated by an admin (only said after a correct password).',
  invalid_token:
    'The access, refresh or mfa token is not good: sign in again (401); a reset or verification token is unknown, used or expired (400).',
  invalid_dpop_proof:
    'The DPoP proof is missing, malformed, for another method or URL, too old, replayed, or signed by another key than its jwk.',
  use_dpop_nonce:
    'DPOP_NONCE=true and the proof lacks the current server nonce: retry with the nonce of the `DPoP-Nonce` header.',
  token_expired: 'The access token has expired: refresh, then retry.',
  token_revoked:
    'The access token was revoked (logout, a revoked session, a password change): sign in again.',
  refresh_token_reused:
    'A rotated refresh token was presented again: the session was revoked. Sign in again.',
  invalid_2fa_code:
    'The TOTP or backup code is wrong or already used (401 at sign-in, 403 for a signed-in caller).',
  two_factor_already_enabled: '2FA is on already.',
  two_factor_not_enabled: '2FA is off, so this needs enabling first.',
  two_factor_not_initiated: 'Start enrolment with `POST /api/v1/2fa/enable` before verifying.',
  invalid_api_key: 'The API key is unknown, revoked or expired (or malformed: its checksum is wrong).',
  ip_not_allowed: 'The API key may not be used from this address (its allowlist).',
  insufficient_scope: 'The API key lacks every scope the route accepts; the challenge names them.',
  forbidden: 'Authenticated, but not allowed (a role is missing, an API key on an account route, ...).',
  csrf_failed:
    'A refresh by cookie came without `X-Session-Mode: cookie` or from an origin that is not allowed; nothing was rotated.',
  captcha_failed:
    'The Turnstile token (`cf-turnstile-response` field or header) is missing, wrong, expired or spent: complete the check again.',
  passkey_verification_failed:
    'The passkey registration (or the second-step assertion) did not verify: wrong origin or RP ID, no user verification, a bad attestation or signature.',
  passkey_not_found: 'The account has no passkey to offer for this step.',
  challenge_expired:
    'The WebAuthn challenge is unknown, used already or older than 5 minutes: ask for new options and retry.',
  invalid_code:
    'The email sign-in code or link is wrong, used, expired or out of tries (also for an address without an account when EMAIL_SIGNUP is off): start again.',
  last_sign_in_method:
    'Removing this passkey (or identity) would leave the account with no way to sign in (no password, passkey or identity).',
  not_found: "No such resource (also for another user's session or key).",
  method_not_allowed: 'The route exists but not with this method.',
  rate_limited: 'Over a rate limit: `Retry-After` says when to come back.',
  service_unavailable:
    'The database or the store cannot answer; nothing was done. Retry after `Retry-After`.',
  internal_error: 'A bug: the answer carries the request id to report; nothing more is said.',
};

const statusOf = (entry: CatalogueEntry & { variants?: Record<string, CatalogueEntry> }) =>
  [
    String(entry.status),
    ...Object.entries(entry.variants ?? {}).map(([name, v]) => `${v.status} (${name.replace('_', ' ')})`),
  ].join(', ');

export function renderErrorReference(): string {
  const rows = (Object.entries(ERROR_CATALOGUE) as [ErrorCode, CatalogueEntry][]).map(([code, entry]) => {
    const challenge = entry.challenge
      ? `\`${challengeHeader(entry.challenge, entry.challenge === 'api_key_insufficient_scope' ? '<scopes>' : undefined)}\``
      : '';
    return `| \`${code}\` | ${statusOf(entry)} | ${challenge} | ${MEANINGS[code]} |`;
  });
  return [
    '# Error codes',
    '',
    'Generated from `src/auth/errors.ts` by `npm run docs:errors`; a test fails when the two drift.',
    '',
    'Every error outside `/oauth/*` is RFC 9457 problem details (`application/problem+json`) with a stable',
    'machine `code`: branch on `code`, never on `detail` (a human sentence that may change). No answer ever',
    'carries a stack trace, SQL or a secret. Every 401 carries a `WWW-Authenticate` challenge.',
    '',
    '| code | status | WWW-Authenticate | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** As it is written to docs/errors.md: formatted by the project's Prettier, which `npm run lint` checks. */
export async function formattedErrorReference(): Promise<string> {
  const prettier = await import('prettier');
  const file = new URL('../docs/errors.md', import.meta.url).pathname;
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(renderErrorReference(), { ...options, filepath: file });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(new URL('../docs/errors.md', import.meta.url), await formattedErrorReference());
  console.log('wrote docs/errors.md');
}
