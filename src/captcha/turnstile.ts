// Cloudflare Turnstile's Siteverify (https://developers.cloudflare.com/turnstile/get-started/server-side-validation/):
// a POST of the secret, the client's token, its address and an idempotency key, so that the one retry after
// a network failure cannot be answered `timeout-or-duplicate` for a token this very request spent.
import { CaptchaUnavailableError, type CaptchaVerifier } from '../ports/captcha.ts';
import type { Random } from '../ports/random.ts';

// Turnstile's tokens are at most 2048 characters.
const MAX_TOKEN_LENGTH = 2048;

interface SiteverifyAnswer {
  success?: unknown;
}

export function createTurnstileVerifier(options: {
  secret: string;
  url: string;
  random: Random;
  timeoutMs?: number;
}): CaptchaVerifier {
  const ask = async (body: URLSearchParams): Promise<boolean> => {
    const res = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
    });
    if (!res.ok) throw new CaptchaUnavailableError(`siteverify answered ${res.status}`);
    const answer: SiteverifyAnswer = await res.json();
    return answer.success === true;
  };
  return {
    async verify(token, remoteIp) {
      if (!token || token.length > MAX_TOKEN_LENGTH) return false;
      const body = new URLSearchParams({
        secret: options.secret,
        response: token,
        idempotency_key: options.random.uuid(),
      });
      if (remoteIp) body.set('remoteip', remoteIp);
      try {
        return await ask(body);
      } catch {
        try {
          return await ask(body);
        } catch (error) {
          throw error instanceof CaptchaUnavailableError ? error : new CaptchaUnavailableError(error);
        }
      }
    },
  };
}
