// Request bodies are at most 64 KiB. (Media types are enforced per route by @hono/zod-openapi's gate: a body
// of an undeclared type is 415, which also stops cross-site form posts that skip the CORS preflight.)
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AuthError } from '../../auth/errors.ts';

export const MAX_BODY_BYTES = 64 * 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * A JSON body must be UTF-8 (RFC 8259): one with an invalid byte sequence is 400 invalid_body, never decoded
 * with U+FFFD in its place and stored. The bytes stay cached, so the validator reads them from here.
 */
export function strictJsonText(): MiddlewareHandler {
  return async function strictJsonText(c, next) {
    if (JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      try {
        strictUtf8.decode(await c.req.arrayBuffer());
      } catch (error) {
        throw new AuthError('invalid_body', 'The request body is not valid UTF-8 JSON.', { cause: error });
      }
    }
    await next();
  };
}

export function limitBody(): MiddlewareHandler {
  return bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new AuthError('payload_too_large', 'The request body is larger than 64 KiB.');
    },
  });
}
