// What every route file shares: the OpenAPI security requirement of signed-in routes, and the cache header
// of responses that carry tokens or secrets.
export const BEARER = [{ bearerAuth: [] }];
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
