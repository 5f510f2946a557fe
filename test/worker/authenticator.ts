// A software authenticator for the workerd tests: WebCrypto keys (ES256 or Ed25519), CBOR-encoded authenticator
// data and COSE keys, "none" attestation, signatures over authData || SHA-256(clientDataJSON), as WebAuthn
// Level 3 section 6 lays them out. Written from the spec, not from the library under test; every knob a
// hostile client could turn (flags, origin, RP ID hash, counter, challenge, signature) can be turned here.
// Chromium's virtual authenticator covers the browser side in test/e2e.

const encoder = new TextEncoder();

export const b64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

export const fromB64url = (text: string): Uint8Array =>
  Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

// CBOR (RFC 8949), only what attestation objects and COSE keys use.
type Cbor = number | string | Uint8Array | Cbor[] | { pairs: [Cbor, Cbor][] };

function head(major: number, length: number): Uint8Array {
  if (length < 24) return Uint8Array.of((major << 5) | length);
  if (length < 256) return Uint8Array.of((major << 5) | 24, length);
  if (length < 65536) return Uint8Array.of((major << 5) | 25, length >> 8, length & 255);
  return Uint8Array.of(
    (major << 5) | 26,
    length >>> 24,
    (length >> 16) & 255,
    (length >> 8) & 255,
    length & 255,
  );
}

export function cbor(value: Cbor): Uint8Array {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = encoder.encode(value);
    return concat(head(3, bytes.length), bytes);
  }
  if (value instanceof Uint8Array) return concat(head(2, value.length), value);
  if (Array.isArray(value)) return concat(head(4, value.length), ...value.map(cbor));
  return concat(head(5, value.pairs.length), ...value.pairs.flatMap(([k, v]) => [cbor(k), cbor(v)]));
}

const sha256 = async (data: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', data));

const u32 = (n: number) => Uint8Array.of(n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255);

/** An ECDSA signature as WebAuthn wants it: ASN.1 DER, not WebCrypto's raw r || s. */
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    let body = bytes.slice(start);
    if (body[0]! & 0x80) body = concat(Uint8Array.of(0), body);
    return concat(Uint8Array.of(0x02, body.length), body);
  };
  const body = concat(integer(raw.slice(0, 32)), integer(raw.slice(32)));
  return concat(Uint8Array.of(0x30, body.length), body);
}

export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

export interface CeremonyTweaks {
  origin?: string;
  rpId?: string;
  /** Authenticator data flags; default UP | UV. */
  flags?: number;
  type?: string;
  challenge?: string;
  /** The counter to report; default: one more than last time (0 stays 0 with `syncedCounter`). */
  counter?: number;
  /** Flip a bit of the signature. */
  badSignature?: boolean;
  /** Claim another user handle. */
  userHandle?: string;
}

interface CreationOptionsJSON {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string };
}

interface RequestOptionsJSON {
  challenge: string;
  rpId?: string;
}

export class SoftAuthenticator {
  counter = 0;
  userHandle: string | undefined;
  readonly credentialId = b64url(crypto.getRandomValues(new Uint8Array(32)));

  private constructor(
    readonly alg: 'ES256' | 'Ed25519',
    private readonly keys: CryptoKeyPair,
    readonly origin: string,
    /** Synced passkeys report 0 for ever. */
    readonly syncedCounter: boolean,
  ) {}

  static async create(
    options: { alg?: 'ES256' | 'Ed25519'; origin?: string; synced?: boolean } = {},
  ): Promise<SoftAuthenticator> {
    const alg = options.alg ?? 'ES256';
    const params = alg === 'ES256' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'Ed25519' };
    const keys = (await crypto.subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair;
    return new SoftAuthenticator(
      alg,
      keys,
      options.origin ?? 'http://localhost:8787',
      options.synced ?? false,
    );
  }

  private async coseKey(): Promise<Uint8Array> {
    const jwk = (await crypto.subtle.exportKey('jwk', this.keys.publicKey)) as JsonWebKey;
    if (this.alg === 'ES256') {
      return cbor({
        pairs: [
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, fromB64url(jwk.x!)],
          [-3, fromB64url(jwk.y!)],
        ],
      });
    }
    return cbor({
      pairs: [
        [1, 1],
        [3, -8],
        [-1, 6],
        [-2, fromB64url(jwk.x!)],
      ],
    });
  }

  private clientData(type: string, challenge: string, origin: string): Uint8Array {
    return encoder.encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  private nextCounter(tweaks: CeremonyTweaks): number {
    if (tweaks.counter !== undefined) return tweaks.counter;
    if (this.syncedCounter) return 0;
    this.counter += 1;
    return this.counter;
  }

  /** What `navigator.credentials.create()` would answer, as RegistrationResponseJSON. */
  async register(options: CreationOptionsJSON, tweaks: CeremonyTweaks = {}) {
    this.userHandle = options.user.id;
    const rpId = tweaks.rpId ?? options.rp.id ?? 'localhost';
    const flags = tweaks.flags ?? FLAGS.UP | FLAGS.UV;
    const id = fromB64url(this.credentialId);
    const authData = concat(
      await sha256(encoder.encode(rpId)),
      Uint8Array.of(flags | FLAGS.AT),
      u32(this.syncedCounter ? 0 : this.counter),
      new Uint8Array(16),
      Uint8Array.of(id.length >> 8, id.length & 255),
      id,
      await this.coseKey(),
    );
    const clientDataJSON = this.clientData(
      tweaks.type ?? 'webauthn.create',
      tweaks.challenge ?? options.challenge,
      tweaks.origin ?? this.origin,
    );
    const attestationObject = cbor({
      pairs: [
        ['fmt', 'none'],
        ['attStmt', { pairs: [] }],
        ['authData', authData],
      ],
    });
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
    };
  }

  /** What `navigator.credentials.get()` would answer, as AuthenticationResponseJSON. */
  async assert(options: RequestOptionsJSON, tweaks: CeremonyTweaks = {}) {
    const rpId = tweaks.rpId ?? options.rpId ?? 'localhost';
    const flags = tweaks.flags ?? FLAGS.UP | FLAGS.UV;
    const authData = concat(
      await sha256(encoder.encode(rpId)),
      Uint8Array.of(flags),
      u32(this.nextCounter(tweaks)),
    );
    const clientDataJSON = this.clientData(
      tweaks.type ?? 'webauthn.get',
      tweaks.challenge ?? options.challenge,
      tweaks.origin ?? this.origin,
    );
    const signed = concat(authData, await sha256(clientDataJSON));
    const algorithm = this.alg === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'Ed25519' };
    const raw = new Uint8Array(await crypto.subtle.sign(algorithm, this.keys.privateKey, signed));
    const signature = this.alg === 'ES256' ? derSignature(raw) : raw;
    if (tweaks.badSignature) signature[signature.length - 1]! ^= 1;
    const userHandle = tweaks.userHandle ?? this.userHandle;
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(userHandle ? { userHandle } : {}),
      },
    };
  }
}
