// Cloudflare's documented Turnstile test secrets, as the Siteverify stand-in (turnstile.ts) answers them. A file
// of its own, without Node imports, so that the tests inside workerd can name them.
export const TURNSTILE_TEST_SECRETS = {
  passes: '1x0000000000000000000000000000000AA',
  fails: '2x0000000000000000000000000000000AA',
  spent: '3x0000000000000000000000000000000AA',
} as const;
