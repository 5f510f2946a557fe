// The one error type domain code throws, and the one catalogue that fixes, for each machine code, its HTTP
// status and its WWW-Authenticate challenge. Throw sites name a code (through the constructors below), never
// a status; where the contract gives a code two statuses, the catalogue names both variants.
// http/middleware/errors.ts turns an AuthError into problem+json.

/** The challenges a 401 (or a key's 403) carries; rendered in one place, `challengeHeader`. */
export type Challenge =
  | 'bearer'
  | 'bearer_invalid_token'
  | 'api_key'
  | 'api_key_insufficient_scope'
  | 'dpop_invalid_proof'
  | 'dpop_use_nonce';

export interface CatalogueEntry {
  status: number;
  challenge?: Challenge;
}

interface Codes {
  [code: string]: CatalogueEntry & { variants?: Record<string, CatalogueEntry> };
}

export const ERROR_CATALOGUE = {
  authentication_required: { status: 401, challenge: 'bearer' },
  validation_failed: { status: 422 },
  invalid_body: { status: 400 },
  payload_too_large: { status: 413 },
  already_exists: { status: 409 },
  weak_password: { status: 422 },
  password_reused: { status: 422 },
  unsupported_media_type: { status: 415 },
  /** A failed sign-in is 401; a wrong password from a caller already signed in is 403 (API.md). */
  invalid_credentials: {
    status: 401,
    challenge: 'bearer',
    variants: { signed_in: { status: 403 } },
  },
  account_locked: { status: 403 },
  account_inactive: { status: 403 },
  /** Tokens that authenticate fail with 401; one-time action tokens (reset, verification) with 400. */
  invalid_token: {
    status: 401,
    challenge: 'bearer_invalid_token',
    variants: { one_time: { status: 400 } },
  },
  token_expired: { status: 401, challenge: 'bearer_invalid_token' },
  token_revoked: { status: 401, challenge: 'bearer_invalid_token' },
  refresh_token_reused: { status: 401, challenge: 'bearer_invalid_token' },
  /** A DPoP proof (RFC 9449) that is malformed, for another request, too old, replayed or of the wrong key. */
  invalid_dpop_proof: { status: 401, challenge: 'dpop_invalid_proof' },
  /** DPOP_NONCE=true: the proof lacks the server's current nonce, which the answer's DPoP-Nonce header holds. */
  use_dpop_nonce: { status: 401, challenge: 'dpop_use_nonce' },
  /** A failed second login step is 401; a wrong code from a caller already signed in is 403. */
  invalid_2fa_code: {
    status: 401,
    challenge: 'bearer',
    variants: { signed_in: { status: 403 } },
  },
  two_factor_already_enabled: { status: 409 },
  two_factor_not_enabled: { status: 400 },
  two_factor_not_initiated: { status: 400 },
  invalid_api_key: { status: 401, challenge: 'api_key' },
  ip_not_allowed: { status: 403 },
  insufficient_scope: { status: 403, challenge: 'api_key_insufficient_scope' },
  forbidden: { status: 403 },
  /** A cookie-mode refresh without the custom header or from an origin that is not allowed (CSRF). */
  csrf_failed: { status: 403 },
  /** TURNSTILE_SECRET is set and the request's Turnstile token is missing or does not pass. */
  captcha_failed: { status: 403 },
  /** A passkey ceremony whose response does not verify (registration), or no passkey to offer (2FA step). */
  passkey_verification_failed: { status: 400 },
  passkey_not_found: { status: 404 },
  /** The WebAuthn challenge is unknown, already used or older than 5 minutes: start the ceremony again. */
  challenge_expired: { status: 400 },
  /** Removing this would leave the account with no password, passkey or linked identity. */
  last_sign_in_method: { status: 409 },
  /** An email sign-in code or link that is wrong, used, expired or out of tries. */
  invalid_code: { status: 400 },
  not_found: { status: 404 },
  method_not_allowed: { status: 405 },
  rate_limited: { status: 429 },
  service_unavailable: { status: 503 },
  internal_error: { status: 500 },
} as const satisfies Codes;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

type Catalogue = typeof ERROR_CATALOGUE;
/** The named variants of a code (`signed_in`, `one_time`), for the codes that have them. */
export type VariantOf<C extends ErrorCode> = Catalogue[C] extends { variants: infer V }
  ? keyof V & string
  : never;

export interface AuthErrorOptions {
  cause?: unknown;
  /** Extra members of the problem document, e.g. `errors` or `issues`. */
  extensions?: Record<string, unknown>;
  /** Headers beyond the challenge, e.g. `Retry-After`. */
  headers?: Record<string, string>;
  /** Parameters of the challenge, e.g. the scopes an `insufficient_scope` challenge names. */
  scope?: string;
}

/** The status and challenge of a code (or of one of its named variants). */
export function catalogueEntry(code: ErrorCode, variant?: string): CatalogueEntry {
  const entry: CatalogueEntry & { variants?: Record<string, CatalogueEntry> } = ERROR_CATALOGUE[code];
  if (variant === undefined) return entry;
  const chosen = entry.variants?.[variant];
  if (!chosen) throw new Error(`error code ${code} has no variant ${variant}`);
  return chosen;
}

const REALM = 'realm="portcullis"';

/** The WWW-Authenticate value of a challenge: written here and nowhere else. */
export function challengeHeader(challenge: Challenge, scope?: string): string {
  switch (challenge) {
    case 'bearer':
      return `Bearer ${REALM}`;
    case 'bearer_invalid_token':
      return `Bearer ${REALM}, error="invalid_token"`;
    case 'api_key':
      return 'ApiKey';
    case 'dpop_invalid_proof':
      return `DPoP algs="ES256 EdDSA", error="invalid_dpop_proof"`;
    case 'dpop_use_nonce':
      return `DPoP algs="ES256 EdDSA", error="use_dpop_nonce"`;
    case 'api_key_insufficient_scope':
      return `ApiKey error="insufficient_scope"${scope ? `, scope="${scope}"` : ''}`;
  }
}

export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly code: ErrorCode;
  /** A human sentence for the client: never a token, key, password or SQL. */
  readonly detail: string;
  readonly status: number;
  readonly challenge: Challenge | undefined;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly scope: string | undefined;

  // Fields declared above rather than as parameter properties: Node's type stripping (the docs script reads
  // this file) does not take those.
  constructor(code: ErrorCode, detail: string, options: AuthErrorOptions & { variant?: string } = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = detail;
    const entry = catalogueEntry(code, options.variant);
    this.status = entry.status;
    this.challenge = entry.challenge;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
    this.scope = options.scope;
  }

  /** An error of a code's named variant, e.g. `AuthError.variant('invalid_token', 'one_time', ...)`. */
  static variant<C extends ErrorCode>(
    code: C,
    variant: VariantOf<C>,
    detail: string,
    options: AuthErrorOptions = {},
  ): AuthError {
    return new AuthError(code, detail, { ...options, variant });
  }
}

// Named constructors for the errors thrown from more than one place.
export const authenticationRequired = (detail = 'This route needs an access token.') =>
  new AuthError('authentication_required', detail);
export const invalidToken = (detail = 'The access token is not valid.', cause?: unknown) =>
  new AuthError('invalid_token', detail, { cause });
export const invalidOneTimeToken = () =>
  AuthError.variant('invalid_token', 'one_time', 'The token is unknown, already used or expired.');
export const invalidCredentials = () =>
  new AuthError('invalid_credentials', 'Incorrect username or password.');
export const wrongPasswordWhileSignedIn = (detail = 'The password is not correct.') =>
  AuthError.variant('invalid_credentials', 'signed_in', detail);
export const invalid2faCode = () => new AuthError('invalid_2fa_code', 'The two-factor code is not valid.');
export const wrong2faCodeWhileSignedIn = () =>
  AuthError.variant('invalid_2fa_code', 'signed_in', 'The two-factor code is not valid.');
export const forbidden = (detail: string) => new AuthError('forbidden', detail);
export const notFound = (detail = 'No such resource.') => new AuthError('not_found', detail);
export const twoFactorNotEnabled = () =>
  new AuthError('two_factor_not_enabled', 'Two-factor authentication is off.');
export const twoFactorAlreadyEnabled = () =>
  new AuthError('two_factor_already_enabled', 'Two-factor authentication is already on.');
export const serviceUnavailable = () =>
  new AuthError('service_unavailable', 'A backing service is unavailable; try again shortly.', {
    headers: { 'Retry-After': '5' },
  });

/** Every status the catalogue gives, with the codes that can carry it (variants included), in catalogue order. */
export function codesByStatus(): Record<number, ErrorCode[]> {
  const byStatus: Record<number, ErrorCode[]> = {};
  const add = (status: number, code: ErrorCode) => {
    const codes = (byStatus[status] ??= []);
    if (!codes.includes(code)) codes.push(code);
  };
  for (const [code, entry] of Object.entries(ERROR_CATALOGUE) as [ErrorCode, CatalogueEntry][]) {
    add(entry.status, code);
    const variants = (entry as { variants?: Record<string, CatalogueEntry> }).variants ?? {};
    for (const variant of Object.values(variants)) add(variant.status, code);
  }
  return byStatus;
}
