/** A human check on public forms (Cloudflare Turnstile), as a port: whether a client's token passes. */
export interface CaptchaVerifier {
  /**
   * True when the token passes, false when it does not (missing, wrong, expired, spent). Throws
   * CaptchaUnavailableError when the verifier cannot answer: the caller refuses (fails closed).
   */
  verify(token: string | undefined, remoteIp: string | null): Promise<boolean>;
}

export class CaptchaUnavailableError extends Error {
  override readonly name = 'CaptchaUnavailableError';
  constructor(cause?: unknown) {
    super('the captcha verifier did not answer', { cause });
  }
}
