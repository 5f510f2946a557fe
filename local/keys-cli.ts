// `npm run keys`: key material for production, printed as the `wrangler secret put` commands to run.
//   npm run keys                      a new signing key (Ed25519) and a new SECRETS_KEY
//   npm run keys -- --alg ES256       a P-256 signing key instead
//   npm run keys -- --rotate FILE     a new signing key first, the keys in FILE (the current JWT_PRIVATE_KEYS
//                                     JSON) kept after it, so tokens they signed verify until they expire
// Nothing is written to disk; the output holds private keys: run it where no one else reads your terminal.
import { readFileSync } from 'node:fs';
import { newSecretsKey, newSigningJwk } from './keys.ts';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const alg = option('--alg') === 'ES256' ? 'ES256' : 'EdDSA';
const rotateFrom = option('--rotate');

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
const put = (name: string, value: string) =>
  `printf '%s' ${shellQuote(value)} | npx wrangler secret put ${name}`;

const fresh = newSigningJwk(alg);
const kept = rotateFrom ? (JSON.parse(readFileSync(rotateFrom, 'utf8')) as JsonWebKey[]) : [];
if (!Array.isArray(kept)) throw new Error(`${rotateFrom} does not hold a JSON array of JWKs`);
const keys = [fresh, ...kept];

console.log(`# New signing key ${fresh.kid} (${alg}) is first: it signs from the next deploy on.`);
if (rotateFrom) {
  console.log(`# Kept for verification: ${kept.map((k) => (k as { kid?: string }).kid).join(', ')}.`);
  console.log(
    '# Once ACCESS_TOKEN_TTL has passed since this deploy, no token they signed is valid any more:',
  );
  console.log('# then put JWT_PRIVATE_KEYS again with the first key alone.');
}
console.log(put('JWT_PRIVATE_KEYS', JSON.stringify(keys)));
if (!rotateFrom) {
  console.log('# SECRETS_KEY seals TOTP secrets and keys backup-code HMACs: set it once; changing it later');
  console.log('# invalidates every enrolled second factor and backup code.');
  console.log(put('SECRETS_KEY', newSecretsKey()));
}
