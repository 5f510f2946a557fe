// Every operation of the OpenAPI document, with a plausible body for each, and what makes an answer unclean:
// what the sweeps (hostile input, outages) share.
import { newUser, type Session } from './harness.ts';

interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
}
export interface Operation {
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: unknown[];
}
export interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

export interface Located {
  path: string;
  method: string;
  op: Operation;
}

export function operationsOf(doc: Doc): Located[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );
}

export function bodyProperties(doc: Doc, op: Operation): string[] {
  let schema = op.requestBody?.content['application/json']?.schema;
  if (schema?.$ref) schema = doc.components.schemas[schema.$ref.split('/').pop()!];
  return Object.keys(schema?.properties ?? {});
}

/** A value each body property would accept, so that one hostile property at a time gets past the others. */
export function plausible(property: string, user: Session): unknown {
  const fresh = newUser();
  const values: Record<string, unknown> = {
    email: fresh.email,
    username: fresh.username,
    password: user.password,
    current_password: user.password,
    new_password: 'Another-Granite-Lantern-43',
    first_name: 'Ada',
    last_name: 'Lovelace',
    name: 'key',
    description: 'a key',
    scopes: ['read:documents'],
    expires_in_days: 30,
    allowed_ips: ['10.0.0.0/8'],
    roles: ['user'],
    grant_type: 'password',
    code: '123456',
    totp_code: '123456',
    backup_code: 'abcd-efgh',
    mfa_token: 'a.b.c',
    refresh_token: 'x'.repeat(43),
    token: 'x'.repeat(43),
  };
  return values[property] ?? 'x';
}

export const plausibleBody = (doc: Doc, op: Operation, user: Session) =>
  Object.fromEntries(bodyProperties(doc, op).map((p) => [p, plausible(p, user)]));

/** A path with every parameter set to `segment` (by default a well-formed UUID that names nothing). */
export const fill = (path: string, segment = '00000000-0000-4000-8000-000000000000') =>
  path.replace(/\{\w+\}/g, segment);

const HEADERS_ON_EVERY_RESPONSE = [
  'x-request-id',
  'strict-transport-security',
  'content-security-policy',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
];

const LEAKS =
  /\bat \S+ \(|node_modules|\bSELECT\b|\bINSERT\b|WRONGTYPE|ERR |TypeError|SyntaxError|RangeError/;

/**
 * What is wrong with an answer, or undefined when it is clean: no 5xx (but a 503 service_unavailable when
 * `unavailable` allows it), the security headers and a request id, no stack or SQL in the body, errors as
 * problem+json with a machine code, and a challenge on every 401.
 */
export async function flaw(res: Response, unavailable = false): Promise<string | undefined> {
  const text = await res.text();
  // DESIGN.md / API.md: every response, errors included, carries these.
  for (const header of HEADERS_ON_EVERY_RESPONSE) if (!res.headers.has(header)) return `no ${header}`;
  if (LEAKS.test(text)) return `leaks ${LEAKS.exec(text)![0]}`;
  if (res.status < 400) return undefined;
  if (res.headers.get('content-type') !== 'application/problem+json') return `${res.status} not problem+json`;
  // API.md: every 401 says how to authenticate again.
  if (res.status === 401 && !/^(Bearer|ApiKey)\b/.test(res.headers.get('www-authenticate') ?? ''))
    return '401 without WWW-Authenticate';
  const code = (JSON.parse(text) as { code?: unknown }).code;
  if (res.status >= 500 && !(unavailable && res.status === 503 && code === 'service_unavailable'))
    return `${res.status} ${String(code)}`;
  return typeof code === 'string' && /^[a-z][a-z0-9_]*$/.test(code) ? undefined : 'no code';
}
