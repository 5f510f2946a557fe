// The typed client's DPoP key (RFC 9449): an ECDSA P-256 key pair made with WebCrypto, its private half
// non-extractable, kept in IndexedDB as the key objects themselves (never their bytes) so that a reload keeps
// the binding; where there is no IndexedDB (Node, workers) it lives in memory. A proof is an ES256 JWS over
// {jti, htm, htu, iat, ath?} with the public JWK in its header. No dependency: this ships to browsers.

export interface DpopSigner {
  /** A proof for this request; `accessToken` binds it to that token (`ath`), `nonce` is the server's. */
  proof(method: string, url: string, accessToken?: string, nonce?: string): Promise<string>;
}

const encoder = new TextEncoder();
const b64url = (bytes: Uint8Array) => {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const b64urlJson = (value: unknown) => b64url(encoder.encode(JSON.stringify(value)));

interface KeyStore {
  load(): Promise<CryptoKeyPair | undefined>;
  save(pair: CryptoKeyPair): Promise<void>;
}

/** The minimum of IndexedDB this needs (the Workers types the client is checked with do not have the DOM's). */
interface IdbRequest<T> {
  result: T;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
  onupgradeneeded?: (() => void) | null;
}
interface Idb {
  open(
    name: string,
    version: number,
  ): IdbRequest<{
    createObjectStore(name: string): void;
    transaction(
      store: string,
      mode: string,
    ): {
      objectStore(name: string): {
        get(key: string): IdbRequest<unknown>;
        put(value: unknown, key: string): IdbRequest<unknown>;
      };
    };
  }>;
}

function indexedDbStore(idb: Idb, name = 'portcullis-dpop'): KeyStore {
  const request = <T>(r: IdbRequest<T>) =>
    new Promise<T>((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(new Error('IndexedDB request failed'));
    });
  const open = () => {
    const r = idb.open(name, 1);
    r.onupgradeneeded = () => r.result.createObjectStore('keys');
    return request(r);
  };
  return {
    async load() {
      const db = await open();
      return (await request(db.transaction('keys', 'readonly').objectStore('keys').get('key'))) as
        CryptoKeyPair | undefined;
    },
    async save(pair) {
      const db = await open();
      await request(db.transaction('keys', 'readwrite').objectStore('keys').put(pair, 'key'));
    },
  };
}

function memoryStore(): KeyStore {
  let pair: CryptoKeyPair | undefined;
  return {
    load: () => Promise.resolve(pair),
    save: (next) => {
      pair = next;
      return Promise.resolve();
    },
  };
}

export function createDpopSigner(): DpopSigner {
  const idb = (globalThis as { indexedDB?: Idb }).indexedDB;
  const store = idb ? indexedDbStore(idb) : memoryStore();
  let ready: Promise<{ pair: CryptoKeyPair; jwk: Record<string, string | undefined> }> | undefined;
  const key = () =>
    (ready ??= (async () => {
      let pair = await store.load().catch(() => undefined);
      if (!pair) {
        // Non-extractable: script on the page can sign with it while open, but can never take it away.
        pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
          'sign',
          'verify',
        ])) as CryptoKeyPair;
        await store.save(pair).catch(() => {});
      }
      const { kty, crv, x, y } = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey;
      return { pair, jwk: { kty, crv, x, y } };
    })());

  return {
    async proof(method, url, accessToken, nonce) {
      const { pair, jwk } = await key();
      const target = new URL(url);
      const payload: Record<string, unknown> = {
        jti: crypto.randomUUID(),
        htm: method.toUpperCase(),
        htu: `${target.protocol}//${target.host}${target.pathname}`,
        iat: Math.floor(Date.now() / 1000),
      };
      if (nonce) payload.nonce = nonce;
      if (accessToken) {
        payload.ath = b64url(
          new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(accessToken))),
        );
      }
      const input = `${b64urlJson({ typ: 'dpop+jwt', alg: 'ES256', jwk })}.${b64urlJson(payload)}`;
      const signature = await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        pair.privateKey,
        encoder.encode(input),
      );
      return `${input}.${b64url(new Uint8Array(signature))}`;
    },
  };
}
