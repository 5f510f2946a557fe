// The browser half of passkeys for the typed client: the WebAuthn ceremonies through @simplewebauthn/browser
// (which turns the server's JSON options into what navigator.credentials wants, and the answer back into
// JSON). Nothing here decides anything: the Worker verifies every answer.
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';

/** The JSON options the Worker hands out (PublicKeyCredentialCreationOptionsJSON / RequestOptionsJSON). */
type CreationOptions = Parameters<typeof startRegistration>[0]['optionsJSON'];
type RequestOptions = Parameters<typeof startAuthentication>[0]['optionsJSON'];

/** What `navigator.credentials.create()` answered, as JSON for `/passkeys/register/verify`. */
export function createPasskey(options: unknown): Promise<unknown> {
  return startRegistration({ optionsJSON: options as CreationOptions });
}

/**
 * What `navigator.credentials.get()` answered, as JSON for `/auth/passkey/verify`. `conditional`: wait for the
 * user to pick a passkey from the username field's autofill (the field needs `autocomplete="username
 * webauthn"`) instead of opening a dialog. A later ceremony aborts a pending one.
 */
export function getPasskey(options: unknown, conditional = false): Promise<unknown> {
  return startAuthentication({ optionsJSON: options as RequestOptions, useBrowserAutofill: conditional });
}

/** Whether this browser can offer passkeys in autofill (conditional mediation). */
export async function conditionalUiAvailable(): Promise<boolean> {
  const credential = (
    globalThis as { PublicKeyCredential?: { isConditionalMediationAvailable?: () => Promise<boolean> } }
  ).PublicKeyCredential;
  return (await credential?.isConditionalMediationAvailable?.()) ?? false;
}
