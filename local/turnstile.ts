// A stand-in for Cloudflare Turnstile's Siteverify, on loopback: hand-written (Cloudflare publishes no server
// to run), following its documented request (form or JSON: secret, response, remoteip, idempotency_key) and
// answer ({success, error-codes, challenge_ts, hostname}), with the documented test secrets:
//   1x0000000000000000000000000000000AA  always passes
//   2x0000000000000000000000000000000AA  always fails (invalid-input-response)
//   3x0000000000000000000000000000000AA  yields "token already spent" (timeout-or-duplicate)
// Any other secret is `invalid-input-secret`. A repeated idempotency_key gets the first answer again. It keeps
// what it was sent, for tests to read back with GET /received.
import { listen, readBody, sendJson, type Listening } from './http.ts';
import { TURNSTILE_TEST_SECRETS } from './turnstile-secrets.ts';

export interface SiteverifyRequest {
  secret: string | null;
  response: string | null;
  remoteip: string | null;
  idempotency_key: string | null;
}

function answerFor(request: SiteverifyRequest): Record<string, unknown> {
  const failure = (code: string) => ({ success: false, 'error-codes': [code] });
  if (!request.secret) return failure('missing-input-secret');
  if (!request.response) return failure('missing-input-response');
  switch (request.secret) {
    case TURNSTILE_TEST_SECRETS.passes:
      return {
        success: true,
        'error-codes': [],
        challenge_ts: new Date().toISOString(),
        hostname: 'localhost',
      };
    case TURNSTILE_TEST_SECRETS.fails:
      return failure('invalid-input-response');
    case TURNSTILE_TEST_SECRETS.spent:
      return failure('timeout-or-duplicate');
    default:
      return failure('invalid-input-secret');
  }
}

export async function startTurnstileStandIn(): Promise<Listening> {
  const received: SiteverifyRequest[] = [];
  const answered = new Map<string, Record<string, unknown>>();
  return listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://siteverify');
    if (req.method === 'POST' && url.pathname === '/turnstile/v0/siteverify') {
      const text = await readBody(req);
      const json = (req.headers['content-type'] ?? '').startsWith('application/json');
      const fields: Record<string, unknown> = json
        ? (JSON.parse(text) as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(text));
      const field = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : null);
      const request: SiteverifyRequest = {
        secret: field('secret'),
        response: field('response'),
        remoteip: field('remoteip'),
        idempotency_key: field('idempotency_key'),
      };
      received.push(request);
      const key = request.idempotency_key;
      const answer = (key && answered.get(key)) || answerFor(request);
      if (key) answered.set(key, answer);
      return sendJson(res, 200, answer);
    }
    if (req.method === 'GET' && url.pathname === '/received') {
      const response = url.searchParams.get('response');
      return sendJson(
        res,
        200,
        received.filter((r) => r.response === response),
      );
    }
    sendJson(res, 404, { error: 'not found' });
  });
}
