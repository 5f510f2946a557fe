// One catalogue fixes each machine code's status and challenge; API.md's codes are all in it.
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  challengeHeader,
  codesByStatus,
  ERROR_CATALOGUE,
  invalidOneTimeToken,
  wrong2faCodeWhileSignedIn,
  wrongPasswordWhileSignedIn,
} from '../../src/auth/errors.ts';

// API.md, "Machine codes" (v1).
const CONTRACT_CODES =
  'authentication_required, validation_failed, invalid_body, payload_too_large, already_exists, weak_password, password_reused, unsupported_media_type, invalid_credentials, account_locked, account_inactive, invalid_token, token_expired, token_revoked, refresh_token_reused, invalid_2fa_code, two_factor_already_enabled, two_factor_not_enabled, two_factor_not_initiated, invalid_api_key, ip_not_allowed, insufficient_scope, forbidden, not_found, rate_limited, service_unavailable, internal_error'.split(
    ', ',
  );

describe('the error catalogue', () => {
  it('holds every machine code of the contract', () => {
    for (const code of CONTRACT_CODES) expect(ERROR_CATALOGUE, code).toHaveProperty(code);
  });

  it('gives each 401 a challenge, and a code its status wherever it is thrown', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      if (entry.status === 401) expect(entry, code).toHaveProperty('challenge');
      expect(new AuthError(code as keyof typeof ERROR_CATALOGUE, 'x').status).toBe(entry.status);
    }
  });

  it('names both statuses of the codes the contract gives two', () => {
    expect(new AuthError('invalid_credentials', 'x').status).toBe(401);
    expect(wrongPasswordWhileSignedIn().status).toBe(403);
    expect(wrongPasswordWhileSignedIn().challenge).toBeUndefined();
    expect(new AuthError('invalid_2fa_code', 'x').status).toBe(401);
    expect(wrong2faCodeWhileSignedIn().status).toBe(403);
    expect(new AuthError('invalid_token', 'x').status).toBe(401);
    expect(invalidOneTimeToken().status).toBe(400);
    expect(() => new AuthError('forbidden', 'x', { variant: 'signed_in' })).toThrow(/no variant/);
  });

  it('writes the challenges in one place', () => {
    expect(challengeHeader('bearer')).toBe('Bearer realm="portcullis"');
    expect(challengeHeader('bearer_invalid_token')).toBe('Bearer realm="portcullis", error="invalid_token"');
    expect(challengeHeader('api_key')).toBe('ApiKey');
    expect(challengeHeader('api_key_insufficient_scope', 'admin read:users')).toBe(
      'ApiKey error="insufficient_scope", scope="admin read:users"',
    );
  });

  it('lists the codes of each status, variants included, for the OpenAPI document', () => {
    const byStatus = codesByStatus();
    expect(byStatus[400]).toEqual([
      'invalid_body',
      'invalid_token',
      'two_factor_not_enabled',
      'two_factor_not_initiated',
      'passkey_verification_failed',
      'challenge_expired',
      'invalid_code',
    ]);
    expect(byStatus[403]).toEqual(
      expect.arrayContaining([
        'invalid_credentials',
        'invalid_2fa_code',
        'account_locked',
        'insufficient_scope',
      ]),
    );
    expect(byStatus[401]).not.toContain('forbidden');
  });
});
