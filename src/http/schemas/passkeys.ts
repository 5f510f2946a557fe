// Passkeys (WebAuthn): the browser's JSON forms of its ceremonies (as @simplewebauthn/browser and the
// WebAuthn Level 3 toJSON() produce them), the options the server hands out, and the passkey object.
import { z } from '@hono/zod-openapi';
import { text } from './common.ts';

const b64url = z
  .string()
  .min(1)
  .max(16_384)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');
const credentialId = z
  .string()
  .min(1)
  .max(1366)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');
const transports = z.array(z.string().max(32)).max(8);
const extensions = z.record(z.string(), z.unknown()).optional().default({});

/** The fields of a PublicKeyCredential the server reads, common to both ceremonies. */
const credential = {
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: extensions,
};

export const RegistrationResponse = z
  .object({
    ...credential,
    response: z.object({
      clientDataJSON: b64url,
      attestationObject: b64url,
      authenticatorData: b64url.optional(),
      transports: transports.optional(),
      publicKeyAlgorithm: z.number().int().optional(),
      publicKey: b64url.optional(),
    }),
  })
  .openapi('RegistrationResponseJSON', {
    description: 'What `navigator.credentials.create()` answered, as JSON',
  });

const AuthenticationResponseShape = {
  ...credential,
  response: z.object({
    clientDataJSON: b64url,
    authenticatorData: b64url,
    signature: b64url,
    userHandle: b64url.optional(),
  }),
};

export const AuthenticationResponse = z
  .object(AuthenticationResponseShape)
  .openapi('AuthenticationResponseJSON', {
    description: 'What `navigator.credentials.get()` answered, as JSON',
  });

export const challengeId = z
  .uuid()
  .openapi({ description: 'The `challenge_id` of the options this answers' });

export const PasskeyVerifyBody = z
  .object({ challenge_id: challengeId, ...AuthenticationResponseShape })
  .openapi('PasskeyVerifyRequest', {
    description: '`challenge_id` beside the fields of the AuthenticationResponseJSON',
  });

export const RegisterOptionsBody = z
  .object({ name: text(64).trim().min(1).optional() })
  .openapi('PasskeyRegisterOptionsRequest');

export const SignInOptionsBody = z
  .object({
    username: text(254).min(1).optional(),
    mfa_token: z.string().min(1).max(2048).optional(),
  })
  .openapi('PasskeyOptionsRequest', {
    description:
      'Nothing for discoverable credentials (conditional UI); `username` to name the account; `mfa_token` for the second step after a password',
  });

const descriptor = z.object({ id: z.string(), type: z.string(), transports: transports.optional() });

export const CreationOptions = z
  .object({
    rp: z.object({ id: z.string().optional(), name: z.string() }),
    user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
    challenge: z.string(),
    pubKeyCredParams: z.array(z.object({ type: z.literal('public-key'), alg: z.number() })),
    timeout: z.number().optional(),
    excludeCredentials: z.array(descriptor).optional(),
    authenticatorSelection: z
      .object({
        authenticatorAttachment: z.string().optional(),
        residentKey: z.string().optional(),
        requireResidentKey: z.boolean().optional(),
        userVerification: z.string().optional(),
      })
      .optional(),
    attestation: z.string().optional(),
    extensions: z.record(z.string(), z.unknown()).optional(),
    hints: z.array(z.string()).optional(),
  })
  .openapi('PublicKeyCredentialCreationOptionsJSON');

export const RequestOptions = z
  .object({
    challenge: z.string(),
    challenge_id: challengeId,
    timeout: z.number().optional(),
    rpId: z.string().optional(),
    allowCredentials: z.array(descriptor).optional(),
    userVerification: z.string().optional(),
    extensions: z.record(z.string(), z.unknown()).optional(),
    hints: z.array(z.string()).optional(),
  })
  .openapi('PublicKeyCredentialRequestOptionsJSON');

export const Passkey = z
  .object({
    id: z.uuid(),
    name: z.string(),
    created_at: z.string().openapi({ format: 'date-time' }),
    last_used_at: z.string().nullable().openapi({ format: 'date-time' }),
    device_type: z.enum(['singleDevice', 'multiDevice']).or(z.string()),
    backed_up: z.boolean(),
    transports: z.array(z.string()),
  })
  .openapi('Passkey');

export const PasskeyEnvelope = z.object({ passkey: Passkey }).openapi('PasskeyEnvelope');

export const RenamePasskeyBody = z.object({ name: text(64).trim().min(1) }).openapi('RenamePasskeyRequest');
