// The one module that speaks @simplewebauthn/server: options for the browser, and the verification of what it
// answers. Everything here is pinned: the RP ID and origins of the config, user verification required, the
// challenge this server issued, and no attestation (a passkey is trusted for the key it proves, not its maker).
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { base64url } from 'jose';
import type { Config } from '../../config.ts';

// No extensions are asked for, so none are in the options handed out.
export type CreationOptions = Omit<PublicKeyCredentialCreationOptionsJSON, 'extensions'>;
export type RequestOptions = Omit<PublicKeyCredentialRequestOptionsJSON, 'extensions'>;

function withoutExtensions<T extends { extensions?: unknown }>(options: T): Omit<T, 'extensions'> {
  const copy = { ...options };
  delete copy.extensions;
  return copy;
}

/** The browser's credential as the HTTP layer validated it (optional members may be present as undefined). */
interface CredentialJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  authenticatorAttachment?: 'platform' | 'cross-platform' | undefined;
  clientExtensionResults: Record<string, unknown>;
}

export interface RegistrationInput extends CredentialJSON {
  response: {
    clientDataJSON: string;
    attestationObject: string;
    authenticatorData?: string | undefined;
    transports?: string[] | undefined;
    publicKeyAlgorithm?: number | undefined;
    publicKey?: string | undefined;
  };
}

export interface AuthenticationInput extends CredentialJSON {
  response: {
    clientDataJSON: string;
    authenticatorData: string;
    signature: string;
    userHandle?: string | undefined;
  };
}

// The library's types forbid an explicit undefined and name transports by a closed list; it reads neither
// strictly, so the validated input is handed over as it is.
const asRegistration = (input: RegistrationInput) => input as unknown as RegistrationResponseJSON;
const asAuthentication = (input: AuthenticationInput) => input as unknown as AuthenticationResponseJSON;

/** How long the browser may take, and how long the challenge lives: five minutes. */
export const CEREMONY_SECONDS = 300;
// Ed25519, ES256, RS256: what platform authenticators and security keys make, strongest first.
const ALGORITHMS = [-8, -7, -257];

type RelyingParty = Config['webauthn'];

export interface CredentialDescriptor {
  id: string;
  transports: string[];
}

export async function creationOptions(
  rp: RelyingParty,
  input: {
    challenge: string;
    user: { id: string; name: string; displayName: string };
    exclude: CredentialDescriptor[];
  },
): Promise<CreationOptions> {
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpId,
    userID: Uint8Array.from(new TextEncoder().encode(input.user.id)),
    userName: input.user.name,
    userDisplayName: input.user.displayName,
    // As bytes: the library would take a string for UTF-8 text and encode it once more.
    challenge: Uint8Array.from(base64url.decode(input.challenge)),
    timeout: CEREMONY_SECONDS * 1000,
    attestationType: 'none',
    excludeCredentials: input.exclude,
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    supportedAlgorithmIDs: ALGORITHMS,
  });
  return withoutExtensions(options);
}

export async function requestOptions(
  rp: RelyingParty,
  input: { challenge: string; allow: CredentialDescriptor[] },
): Promise<RequestOptions> {
  const options = await generateAuthenticationOptions({
    rpID: rp.rpId,
    // As bytes: the library would take a string for UTF-8 text and encode it once more.
    challenge: Uint8Array.from(base64url.decode(input.challenge)),
    timeout: CEREMONY_SECONDS * 1000,
    userVerification: 'required',
    allowCredentials: input.allow,
  });
  return withoutExtensions(options);
}

const BASE64URL = /^[A-Za-z0-9_-]{16,128}$/;

/** The challenge a response claims to answer (read from its clientDataJSON), or undefined if unreadable. */
export function claimedChallenge(clientDataJSON: string): string | undefined {
  try {
    const data: unknown = JSON.parse(
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(base64url.decode(clientDataJSON)),
    );
    const challenge = (data as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' && BASE64URL.test(challenge) ? challenge : undefined;
  } catch {
    return undefined;
  }
}

export interface NewCredential {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  deviceType: string;
  backedUp: boolean;
  aaguid: string;
}

/** The credential a registration response proves, or undefined when it does not verify. */
export async function verifyRegistration(
  rp: RelyingParty,
  response: RegistrationInput,
  challenge: string,
): Promise<NewCredential | undefined> {
  try {
    const result = await verifyRegistrationResponse({
      response: asRegistration(response),
      expectedChallenge: challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      requireUserVerification: true,
      supportedAlgorithmIDs: ALGORITHMS,
    });
    if (!result.verified) return undefined;
    const info = result.registrationInfo;
    return {
      credentialId: info.credential.id,
      publicKey: base64url.encode(info.credential.publicKey),
      counter: info.credential.counter,
      transports: response.response.transports ?? [],
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      aaguid: info.aaguid,
    };
  } catch {
    // The library throws for every malformed or mismatched response; which one is not the client's business.
    return undefined;
  }
}

export interface StoredCredential {
  credentialId: string;
  publicKey: string;
  transports: string[];
}

export interface Assertion {
  /** The signature counter the authenticator reported. */
  counter: number;
  backedUp: boolean;
}

/**
 * The counter and backup state an authentication response proves for this credential, or undefined when it
 * does not verify. The counter's monotonicity is the caller's to judge (it audits a regression).
 */
export async function verifyAssertion(
  rp: RelyingParty,
  response: AuthenticationInput,
  challenge: string,
  credential: StoredCredential,
): Promise<Assertion | undefined> {
  try {
    const result = await verifyAuthenticationResponse({
      response: asAuthentication(response),
      expectedChallenge: challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      // Counter 0 here: the library's own check would throw the same error as a bad signature.
      credential: {
        id: credential.credentialId,
        publicKey: Uint8Array.from(base64url.decode(credential.publicKey)),
        counter: 0,
        transports: credential.transports,
      },
      requireUserVerification: true,
    });
    if (!result.verified || !result.authenticationInfo.userVerified) return undefined;
    return {
      counter: result.authenticationInfo.newCounter,
      backedUp: result.authenticationInfo.credentialBackedUp,
    };
  } catch {
    return undefined;
  }
}
