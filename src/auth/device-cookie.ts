// OWASP's device cookie, so that a lockout is no weapon: anyone who knows a username can lock its account,
// but a browser that has signed in to that account before holds a signed cookie naming it, and is counted
// apart. While the account is locked, such a browser may still sign in with the right password; its own
// failures are counted on the device (not the account), and after LOCKOUT_THRESHOLD of them within
// LOCKOUT_MINUTES the cookie is worth nothing until the window ends (the account's rules apply to it again).
// The cookie is `<user id>.<device id>.<HMAC-SHA-256 under a key derived from SECRETS_KEY>`: it says which
// account this browser signed in to, and nothing else; it is not a credential.
import type { Deps, RequestContext } from '../deps.ts';
import { hmacHex } from './secret-box.ts';

export const DEVICE_COOKIE_MAX_AGE = 180 * 86_400;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const SHAPE = new RegExp(`^(${UUID})\\.(${UUID})\\.([0-9a-f]{64})$`);

const mac = (deps: Pick<Deps, 'config'>, userId: string, deviceId: string) =>
  hmacHex(deps.config.secretsKey, `${userId}.${deviceId}`, 'device-cookies');

/** The id of the presented device cookie when it is genuine and names `userId`. */
async function deviceOf(deps: Pick<Deps, 'config'>, ctx: RequestContext, userId: string) {
  const match = SHAPE.exec(ctx.device.presented ?? '');
  if (!match || match[1] !== userId) return undefined;
  const expected = await mac(deps, userId, match[2]!);
  // Both are hex HMACs of the same length: compared in full, whatever differs first.
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ match[3]!.charCodeAt(i);
  return diff === 0 ? match[2]! : undefined;
}

/** The device id when this browser is a trusted device of `userId` whose own failures are below the limit. */
export async function trustedDevice(
  deps: Pick<Deps, 'config' | 'store'>,
  ctx: RequestContext,
  userId: string,
): Promise<string | undefined> {
  const id = await deviceOf(deps, ctx, userId);
  if (!id) return undefined;
  return (await deps.store.failures(`device:${id}`)) < deps.config.lockout.threshold ? id : undefined;
}

/** One failed attempt from a trusted device: counted on the device alone. */
export async function recordDeviceFailure(
  deps: Pick<Deps, 'config' | 'store'>,
  deviceId: string,
): Promise<void> {
  await deps.store.countFailure(`device:${deviceId}`, deps.config.lockout.minutes * 60);
}

/** After a successful sign-in: the browser keeps (or gets) its device cookie for this account. */
export async function rememberDevice(
  deps: Pick<Deps, 'config' | 'random'>,
  ctx: RequestContext,
  userId: string,
): Promise<void> {
  const id = (await deviceOf(deps, ctx, userId)) ?? deps.random.uuid();
  ctx.device.remember(`${userId}.${id}.${await mac(deps, userId, id)}`, DEVICE_COOKIE_MAX_AGE);
}
