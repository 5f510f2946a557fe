// The one place where responses for errors are built: RFC 9457 problem+json with a stable `code`, the status
// and the WWW-Authenticate challenge the catalogue (auth/errors.ts) gives that code. Unknown errors become
// 500 internal_error with the request id; their details go to the log, never the client.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  AuthError,
  challengeHeader,
  notFound as notFoundError,
  serviceUnavailable,
} from '../../auth/errors.ts';
import { DatabaseError, DatabaseUnavailableError } from '../../ports/database.ts';
import type { Logger } from '../../ports/logger.ts';
import { StoreUnavailableError } from '../../ports/store.ts';
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
  if (error.challenge) c.header('WWW-Authenticate', challengeHeader(error.challenge, error.scope));
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
  switch (error.status) {
    case 400:
      return new AuthError('invalid_body', 'The request body is not valid JSON.', { cause: error });
    case 413:
      return new AuthError('payload_too_large', 'The request body is larger than 64 KiB.', { cause: error });
    case 415:
      return new AuthError(
        'unsupported_media_type',
        'The request body has a media type this route does not accept.',
        { cause: error },
      );
    default:
      return new AuthError('internal_error', 'The request could not be processed.', { cause: error });
  }
}

export function createErrorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return function onError(error, c) {
    if (error instanceof AuthError) return problem(c, error);
    if (error instanceof HTTPException) return problem(c, fromHttpException(error));
    const requestId = c.get('requestId');
    if (error instanceof StoreUnavailableError || error instanceof DatabaseUnavailableError) {
      logger.error('dependency_unavailable', {
        request_id: requestId,
        dependency: error instanceof StoreUnavailableError ? 'store' : 'database',
      });
      return problem(c, serviceUnavailable());
    }
    // A database error's cause quotes the SQL and its parameters: only its name and SQLSTATE are logged.
    logger.error('unhandled_error', {
      request_id: requestId,
      error: error.name,
      ...(error instanceof DatabaseError
        ? { sqlstate: error.sqlstate }
        : { message: error.message, stack: error.stack }),
    });
    return problem(
      c,
      new AuthError('internal_error', `An unexpected error occurred (request id ${requestId}).`, {
        extensions: { request_id: requestId },
      }),
    );
  };
}

export const notFound: NotFoundHandler<AppEnv> = (c) => problem(c, notFoundError());
