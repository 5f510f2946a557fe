// The settings access tokens are issued and verified with, taken from the deps once.
import type { Deps } from '../deps.ts';
import type { TokenSettings } from './access-token.ts';

export function tokenSettings(deps: Deps): TokenSettings {
  return {
    keys: deps.keys,
    issuer: deps.config.jwt.issuer,
    audience: deps.config.jwt.audience,
    ttlSeconds: deps.config.jwt.accessTokenTtl,
    clock: deps.clock,
    random: deps.random,
  };
}
