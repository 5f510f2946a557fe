// The one place where responses for errors are built: RFC 9457 problem+json with a stable `code`.
// Unknown errors become 500 internal_error with the request id; their details go to the log, never the client.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AuthError, type ErrorCode } from '../../auth/errors.ts';
import { isDatabaseError, isDatabaseUnavailable, sqlState } from '../../db/errors.ts';
import type { Logger } from '../../ports/logger.ts';
import { StoreUnavailableError } from '../../store/store.ts';
import type { AppEnv } from '../context.ts';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(c: Context<AppEnv>, error: AuthError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  c.header('Content-Type', 'application/problem+json');
  c.header('Cache-Control', 'no-store');
  const body = {
    type: 'about:blank',
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    detail: error.detail,
    code: error.code,
    ...error.extensions,
  };
  return c.body(JSON.stringify(body), error.status as ContentfulStatusCode);
}

function fromHttpException(error: HTTPException): AuthError {
  const byStatus: Record<number, [ErrorCode, string]> = {
    400: ['invalid_body', 'The request body is not valid JSON.'],
    413: ['payload_too_large', 'The request body is larger than 64 KiB.'],
    415: ['unsupported_media_type', 'The request body has a media type this route does not accept.'],
  };
  const [code, detail] = byStatus[error.status] ?? ['internal_error', 'The request could not be processed.'];
  return new AuthError(code, code === 'internal_error' ? 500 : error.status, detail, { cause: error });
}

export function createErrorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return function onError(error, c) {
    if (error instanceof AuthError) return problem(c, error);
    if (error instanceof HTTPException) return problem(c, fromHttpException(error));
    const requestId = c.get('requestId');
    if (error instanceof StoreUnavailableError || isDatabaseUnavailable(error)) {
      logger.error('dependency_unavailable', {
        request_id: requestId,
        dependency: error instanceof StoreUnavailableError ? 'store' : 'database',
      });
      return problem(
        c,
        new AuthError('service_unavailable', 503, 'A backing service is unavailable; try again shortly.', {
          headers: { 'Retry-After': '5' },
        }),
      );
    }
    // Database errors carry the SQL and its parameters in their message: log the SQLSTATE only.
    logger.error('unhandled_error', {
      request_id: requestId,
      error: error.name,
      ...(isDatabaseError(error)
        ? { sqlstate: sqlState(error) }
        : { message: error.message, stack: error.stack }),
    });
    return problem(
      c,
      new AuthError('internal_error', 500, `An unexpected error occurred (request id ${requestId}).`, {
        extensions: { request_id: requestId },
      }),
    );
  };
}

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  problem(c, new AuthError('not_found', 404, 'No such resource.'));
