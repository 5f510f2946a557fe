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

/** How much of an oversized body of unknown length is read (and dropped) before the 413 is sent. */
const DRAIN_BYTES = 4 * 1024 * 1024;

const tooLarge = () => new AuthError('payload_too_large', 'The request body is larger than 64 KiB.');

/**
 * Hono's bodyLimit, plus one thing: a chunked body (no Content-Length) over the limit is read to its end (up
 * to DRAIN_BYTES) before the 413 is sent. Answering while the client is still sending chunks makes the dev
 * proxy of wrangler 4.124 (miniflare's entry worker) lose the connection, answer other requests on it with a
 * 500 carrying its own stack trace, and then exit. Production has no such proxy; the drain costs nothing there.
 */
export function limitBody(): MiddlewareHandler {
  const limited = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw tooLarge();
    },
  });
  return async function limitBodySize(c, next) {
    const body = c.req.raw.body;
    if (!body || c.req.header('content-length') !== undefined) return limited(c, next);
    const reader = body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size <= MAX_BODY_BYTES) chunks.push(value);
      else if (size > DRAIN_BYTES) break;
    }
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    // The validators read the body from Hono's cache, which holds promises of each form (its type says otherwise).
    (c.req.bodyCache as unknown as { arrayBuffer?: Promise<ArrayBuffer> }).arrayBuffer = Promise.resolve(
      bytes.buffer,
    );
    await next();
  };
}
