// X-Request-ID: the client's value is echoed when it matches the contract's pattern, else a new one is made.
import { requestId as honoRequestId } from 'hono/request-id';
import type { MiddlewareHandler } from 'hono';

const ACCEPTED = /^[A-Za-z0-9._-]{1,128}$/;
const HEADER = 'X-Request-ID';

export function requestId(): MiddlewareHandler {
  // Hono's own header check accepts '=' and refuses '.', unlike the contract, so the generator applies ours.
  const inner = honoRequestId({
    headerName: '',
    generator: (c) => {
      const given = c.req.header(HEADER);
      return given && ACCEPTED.test(given) ? given : crypto.randomUUID();
    },
  });
  return async function requestIdHeader(c, next) {
    await inner(c, async () => {
      c.header(HEADER, c.get('requestId'));
      await next();
    });
  };
}
