// The one error type domain code throws; http/middleware/errors.ts turns it into problem+json.
export type ErrorCode =
  | 'authentication_required'
  | 'validation_failed'
  | 'invalid_body'
  | 'payload_too_large'
  | 'already_exists'
  | 'weak_password'
  | 'password_reused'
  | 'unsupported_media_type'
  | 'invalid_credentials'
  | 'account_locked'
  | 'account_inactive'
  | 'invalid_token'
  | 'token_expired'
  | 'token_revoked'
  | 'refresh_token_reused'
  | 'invalid_2fa_code'
  | 'two_factor_already_enabled'
  | 'two_factor_not_enabled'
  | 'two_factor_not_initiated'
  | 'invalid_api_key'
  | 'ip_not_allowed'
  | 'insufficient_scope'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'rate_limited'
  | 'service_unavailable'
  | 'internal_error';

export interface AuthErrorOptions {
  cause?: unknown;
  /** Extra members of the problem document, e.g. `errors` or `issues`. */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    /** A human sentence for the client: never a token, key, password or SQL. */
    readonly detail: string,
    options: AuthErrorOptions = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}
