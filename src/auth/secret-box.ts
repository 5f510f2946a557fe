// Keys derived from SECRETS_KEY (HKDF-SHA-256, one per purpose) and AES-GCM sealing of small secrets at rest:
// a database dump alone does not reveal TOTP secrets, and backup codes are keyed HMACs.
import { base64url } from 'jose';
import { hex } from './encoding.ts';

const encoder = new TextEncoder();
const derived = new Map<string, Promise<CryptoKey>>();

type Purpose =
  'totp-secret' | 'backup-codes' | 'device-cookies' | 'dpop-nonces' | 'passkey-decoys' | 'email-codes';

function derive(secretsKey: string, purpose: Purpose): Promise<CryptoKey> {
  const id = `${purpose}\u0000${secretsKey}`;
  let key = derived.get(id);
  if (!key) {
    key = (async () => {
      const material = await crypto.subtle.importKey('raw', encoder.encode(secretsKey), 'HKDF', false, [
        'deriveKey',
      ]);
      const params = {
        name: 'HKDF',
        hash: 'SHA-256',
        salt: encoder.encode('portcullis'),
        info: encoder.encode(purpose),
      };
      return purpose === 'totp-secret'
        ? crypto.subtle.deriveKey(params, material, { name: 'AES-GCM', length: 256 }, false, [
            'encrypt',
            'decrypt',
          ])
        : crypto.subtle.deriveKey(params, material, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, [
            'sign',
          ]);
    })();
    derived.set(id, key);
  }
  return key;
}

/** `v1.<iv>.<ciphertext>`; the user id is bound as associated data, so a sealed secret cannot be moved. */
export async function seal(
  secretsKey: string,
  plaintext: string,
  boundTo: string,
  iv: Uint8Array,
): Promise<string> {
  const key = await derive(secretsKey, 'totp-secret');
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(boundTo) },
    key,
    encoder.encode(plaintext),
  );
  return `v1.${base64url.encode(iv)}.${base64url.encode(new Uint8Array(data))}`;
}

export async function open(secretsKey: string, sealed: string, boundTo: string): Promise<string> {
  const [version, iv, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !data) throw new Error('unknown sealed format');
  const key = await derive(secretsKey, 'totp-secret');
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: base64url.decode(iv), additionalData: encoder.encode(boundTo) },
    key,
    base64url.decode(data),
  );
  return new TextDecoder().decode(plain);
}

export async function hmacHex(
  secretsKey: string,
  message: string,
  purpose: Exclude<Purpose, 'totp-secret'> = 'backup-codes',
): Promise<string> {
  const key = await derive(secretsKey, purpose);
  return hex(await crypto.subtle.sign('HMAC', key, encoder.encode(message)));
}
