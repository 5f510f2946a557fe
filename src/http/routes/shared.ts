// What every route file shares: its router, the OpenAPI security
// requirement of signed-in routes, and the cache header of responses that carry tokens or secrets.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context.ts';
import { validationHook } from '../validation.ts';

/** A router whose invalid requests answer 422 validation_failed the same way everywhere. */
export const router = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

// Either scheme fills the Authorization header; listing both lets Swagger UI's password "Authorize" apply.
export const BEARER: Record<string, string[]>[] = [{ bearerAuth: [] }, { oauth2Password: [] }];
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
