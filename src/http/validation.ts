// Failed validation of a declared request becomes 422 validation_failed with the failing paths.
import type { Hook } from '@hono/zod-openapi';
import type { z } from '@hono/zod-openapi';
import { AuthError } from '../auth/errors.ts';
import type { AppEnv } from './context.ts';

export function validationFailed(issues: readonly z.core.$ZodIssue[]): AuthError {
  const errors = issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }));
  return new AuthError('validation_failed', 'The request did not pass validation.', {
    extensions: { errors },
  });
}

export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (!result.success) throw validationFailed(result.error.issues);
};

/** Validates data a route could not declare to the validator (e.g. a body accepted in two media types). */
export function parseOr422<T extends z.ZodType>(schema: T, data: unknown): z.infer<T> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw validationFailed(parsed.error.issues);
  return parsed.data;
}
