// What every route file shares: the OpenAPI security requirement of signed-in routes, and the cache header
// of responses that carry tokens or secrets.
// Either scheme fills the Authorization header; listing both lets Swagger UI's password "Authorize" apply.
export const BEARER: Record<string, string[]>[] = [{ bearerAuth: [] }, { oauth2Password: [] }];
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
