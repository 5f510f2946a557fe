// Request bodies are at most 64 KiB. (Media types are enforced per route by @hono/zod-openapi's gate: a body
// of an undeclared type is 415, which also stops cross-site form posts that skip the CORS preflight.)
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AuthError } from '../../auth/errors.ts';

export const MAX_BODY_BYTES = 64 * 1024;

export function limitBody(): MiddlewareHandler {
  return bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new AuthError('payload_too_large', 'The request body is larger than 64 KiB.');
    },
  });
}
