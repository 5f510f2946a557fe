// The common-password list (generated at build time from a maintained package, see scripts/build-passwords.mjs),
// turned into a Set once per isolate on first use: a constant, not state.
import { COMMON_PASSWORDS } from '../generated/common-passwords.js';

let set: Set<string> | undefined;

export function isCommonPassword(password: string): boolean {
  set ??= new Set(COMMON_PASSWORDS.split('\n'));
  return set.has(password.toLowerCase());
}
