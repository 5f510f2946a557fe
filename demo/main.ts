// The demo SPA: every call goes through the typed client exactly as an SPA would use it (`portcullis/client`).
// No framework, no inline script, no innerHTML: text from the server only ever lands in textContent.
import { createPortcullisClient, PortcullisError, webStorage } from 'portcullis/client';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing`);
  return element as T;
};

// Cookie mode (the default in a browser: the refresh token stays in the HttpOnly cookie) and DPoP: the access
// token, kept in sessionStorage so that a reload keeps the page signed in, is bound to a non-extractable key
// in IndexedDB, so a copy of it is worth nothing anywhere else.
const client = createPortcullisClient({
  baseUrl: location.origin,
  storage: webStorage(sessionStorage),
  dpop: true,
  onSignedOut: (reason) => {
    say(reason === 'logout' ? 'Logged out.' : `Signed out: ${reason}.`);
    void render();
  },
});
let mfaToken: string | null = null;

function say(text: string, error = false) {
  const message = $('message');
  message.textContent = text;
  message.classList.toggle('error', error);
}

/** A failure as the page shows it: a problem's machine `code` as is, anything else as text. */
function sayError(error: unknown) {
  say(error instanceof PortcullisError ? `${error.code}: ${error.message}` : String(error), true);
}

function fields(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  new FormData(form).forEach((value, key) => {
    if (typeof value === 'string') values[key] = value;
  });
  return values;
}

/** Runs an action from a form or button, showing its outcome; a problem's `code` is shown as is. */
function on<E extends Event>(
  target: HTMLElement,
  type: string,
  action: (event: E) => Promise<string | void>,
) {
  target.addEventListener(type, (event) => {
    event.preventDefault();
    action(event as E).then((done) => {
      if (done) say(done);
    }, sayError);
  });
}

function cell(row: HTMLTableRowElement, text: string) {
  row.insertCell().textContent = text;
}

async function renderSessions() {
  const sessions = await (await client.expectOk(await client.api.auth.sessions.$get())).json();
  const body = $('sessions');
  body.replaceChildren();
  for (const session of sessions) {
    const row = document.createElement('tr');
    row.dataset.sessionId = session.id;
    cell(row, new Date(session.created_at).toLocaleString());
    cell(row, new Date(session.last_used_at).toLocaleString());
    cell(row, session.ip_address ?? '');
    cell(row, (session.user_agent ?? '').slice(0, 40));
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = session.current ? 'Revoke (this one)' : 'Revoke';
    on(button, 'click', async () => {
      await client.expectOk(await client.api.auth.sessions[':id'].$delete({ param: { id: session.id } }));
      if (session.current) {
        client.setTokens(null);
        await render();
        return 'This session was revoked.';
      }
      await renderSessions();
      return 'Session revoked.';
    });
    row.insertCell().append(button);
    body.append(row);
  }
}

async function renderApiKeys() {
  const keys = await (await client.expectOk(await client.api['api-keys'].$get())).json();
  const list = $('api-keys');
  list.replaceChildren();
  for (const key of keys) {
    const item = document.createElement('li');
    item.textContent = `${key.name} — ${key.key_prefix}… — ${key.scopes.join(', ') || 'no scopes'} — expires ${new Date(key.expires_at).toLocaleDateString()}`;
    list.append(item);
  }
}

async function renderPasskeys() {
  const passkeys = await client.passkeys.list();
  const list = $('passkeys');
  list.replaceChildren();
  for (const passkey of passkeys) {
    const item = document.createElement('li');
    item.dataset.passkeyId = passkey.id;
    const used = passkey.last_used_at ? new Date(passkey.last_used_at).toLocaleString() : 'never';
    const label = document.createElement('span');
    label.textContent = `${passkey.name} — ${passkey.backed_up ? 'synced' : 'this device'} — last used ${used} `;
    const rename = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Rename' });
    on(rename, 'click', async () => {
      const name = prompt('New name', passkey.name)?.trim();
      if (!name) return;
      await client.passkeys.rename(passkey.id, name);
      await renderPasskeys();
      return 'Passkey renamed.';
    });
    const remove = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Remove' });
    on(remove, 'click', async () => {
      await client.passkeys.remove(passkey.id);
      await renderPasskeys();
      return 'Passkey removed.';
    });
    item.append(label, rename, remove);
    list.append(item);
  }
  if (passkeys.length === 0)
    list.append(Object.assign(document.createElement('li'), { textContent: 'None yet.' }));
}

/** Conditional UI: while signed out, the username field's autofill offers this site's passkeys. */
let offeringPasskeys = false;
async function offerPasskeysInAutofill() {
  // Claimed before the first await: a render that follows at once (logout renders twice) must not ask again.
  if (offeringPasskeys || client.isSignedIn()) return;
  offeringPasskeys = true;
  try {
    if (!(await client.conditionalUiAvailable())) return;
    const { user } = await client.signInWithPasskey({ conditional: true });
    await render();
    say(`Welcome, ${user.username} (passkey).`);
  } catch (error) {
    // A button's ceremony replaced this one (AbortError), there was nothing to offer or the user looked away
    // (NotAllowedError), or this origin is not on the RP ID (SecurityError: the demo opened at 127.0.0.1):
    // nothing to tell the user, who can still type a password.
    const quiet =
      error instanceof Error && ['AbortError', 'NotAllowedError', 'SecurityError'].includes(error.name);
    if (!quiet) sayError(error);
  } finally {
    offeringPasskeys = false;
  }
}

async function render() {
  const signedIn = client.isSignedIn();
  $('signed-out').hidden = signedIn;
  $('signed-in').hidden = !signedIn;
  if (!signedIn) {
    $('status').textContent = 'Signed out';
    void offerPasskeysInAutofill();
    return;
  }
  const res = await client.api.auth.me.$get();
  if (!res.ok) {
    // The session died elsewhere (logout-all, reuse detection): the client has already forgotten it.
    client.setTokens(null);
    return render();
  }
  const { user } = await res.json();
  $('status').textContent = `Signed in as ${user.username}`;
  $('me').textContent = JSON.stringify(user, null, 2);
  $('two-factor-state').textContent = user.two_factor_enabled ? '2FA is on.' : '2FA is off.';
  $('enable-2fa').hidden = user.two_factor_enabled;
  if (user.two_factor_enabled) $('enrolment').hidden = true;
  await Promise.all([renderSessions(), renderApiKeys(), renderPasskeys()]);
}

on($('passkey-sign-in'), 'click', async () => {
  const { user } = await client.signInWithPasskey();
  await render();
  return `Welcome, ${user.username} (passkey).`;
});

on($('passkey-2fa'), 'click', async () => {
  if (!mfaToken) throw new Error('Log in with your password first.');
  const { user } = await client.completeLogin(mfaToken, { passkey: true });
  mfaToken = null;
  $('login-2fa-form').hidden = true;
  await render();
  return `Welcome, ${user.username} (password and passkey).`;
});

on($('passkey-form'), 'submit', async (event) => {
  const form = event.target as HTMLFormElement;
  const name = (fields(form).name ?? '').trim();
  const passkey = await client.registerPasskey(name || undefined);
  form.reset();
  await renderPasskeys();
  return `Passkey "${passkey.name}" added.`;
});

on($('register-form'), 'submit', async (event) => {
  const form = event.target as HTMLFormElement;
  const { email = '', username = '', password = '' } = fields(form);
  await client.expectOk(await client.api.auth.register.$post({ json: { email, username, password } }));
  const login = $<HTMLFormElement>('login-form');
  (login.elements.namedItem('username') as HTMLInputElement).value = username;
  form.reset();
  return 'Account created. A verification mail is in the dev outbox. Log in now.';
});

on($('login-form'), 'submit', async (event) => {
  const form = event.target as HTMLFormElement;
  const { username = '', password = '' } = fields(form);
  const result = await client.login(username, password);
  form.reset();
  if (result.requires_2fa) {
    mfaToken = result.mfa_token;
    $('login-2fa-form').hidden = false;
    return 'Enter the code from your authenticator app.';
  }
  await render();
  return `Welcome, ${result.user.username}.`;
});

on($('login-2fa-form'), 'submit', async (event) => {
  const form = event.target as HTMLFormElement;
  const code = (fields(form).code ?? '').trim();
  if (!mfaToken) throw new Error('Log in with your password first.');
  const factor = /^\d{6}$/.test(code) ? { code } : { backup_code: code };
  const { user } = await client.completeLogin(mfaToken, factor);
  mfaToken = null;
  form.reset();
  form.hidden = true;
  await render();
  return `Welcome, ${user.username} (two factors).`;
});

let emailForCode: string | null = null;

on($('email-start-form'), 'submit', async (event) => {
  const form = event.target as HTMLFormElement;
  const email = fields(form).email ?? '';
  await client.expectOk(await client.api.auth.email.start.$post({ json: { email } }));
  emailForCode = email;
  form.reset();
  $('email-code-form').hidden = false;
  return `If ${email} may sign in, a link and a code are in the dev outbox (/dev/outbox?to=${email}).`;
});

/** An email sign-in finished (by code or link): tokens, or the second factor an account with 2FA needs. */
async function finishEmailSignIn(body: { email: string; code: string } | { token: string }) {
  const result = await client.signInWithEmail(body);
  if (result.requires_2fa) {
    mfaToken = result.mfa_token;
    $('login-2fa-form').hidden = false;
    return 'Enter the code from your authenticator app.';
  }
  await render();
  return `Welcome, ${result.user.username} (email).`;
}

on($('email-code-form'), 'submit', async (event) => {
  const form = event.target as HTMLFormElement;
  const code = (fields(form).code ?? '').trim();
  if (!emailForCode) throw new Error('Ask for a code first.');
  const done = await finishEmailSignIn({ email: emailForCode, code });
  emailForCode = null;
  form.reset();
  form.hidden = true;
  return done;
});

on($('forgot-form'), 'submit', async (event) => {
  const form = event.target as HTMLFormElement;
  const email = fields(form).email ?? '';
  await client.expectOk(await client.api.auth['reset-password'].request.$post({ json: { email } }));
  form.reset();
  return `If an account uses ${email}, a reset link is in the dev outbox (/dev/outbox?to=${email}).`;
});

// The token of a reset link, kept in memory only: the address bar drops it at once (history, Referer).
let resetToken: string | null = null;

on($('reset-form'), 'submit', async (event) => {
  const form = event.target as HTMLFormElement;
  const new_password = fields(form).new_password ?? '';
  if (!resetToken) throw new Error('Open the link from the mail first.');
  await client.expectOk(
    await client.api.auth['reset-password'].confirm.$post({ json: { token: resetToken, new_password } }),
  );
  resetToken = null;
  form.reset();
  form.hidden = true;
  return 'Password changed. Log in with the new one.';
});

/** A link from a mail (PUBLIC_URL/reset-password or /verify-email with ?token=): finish what it started. */
async function followMailLink(): Promise<string | void> {
  const token = new URLSearchParams(location.search).get('token');
  const action = location.pathname.split('/').pop();
  if (!token || !['reset-password', 'verify-email', 'sign-in'].includes(action ?? '')) return;
  history.replaceState(null, '', '/demo');
  // The link only opens this page; the sign-in happens here, by POST (a preview bot's GET spends nothing).
  if (action === 'sign-in') return finishEmailSignIn({ token });
  if (action === 'reset-password') {
    resetToken = token;
    $('reset-form').hidden = false;
    return 'Choose a new password.';
  }
  const { user } = await (
    await client.expectOk(await client.api.auth['verify-email'].confirm.$post({ json: { token } }))
  ).json();
  return `Email ${user.email} verified.`;
}

on($('enable-2fa'), 'click', async () => {
  const enrolment = await (await client.expectOk(await client.api['2fa'].enable.$post())).json();
  $<HTMLImageElement>('qr').src = enrolment.qr_code;
  $('totp-secret').textContent = enrolment.secret;
  const codes = $('backup-codes');
  codes.replaceChildren(
    ...enrolment.backup_codes.map((code) =>
      Object.assign(document.createElement('li'), { textContent: code }),
    ),
  );
  $('enrolment').hidden = false;
  $('enable-2fa').hidden = true;
  return 'Scan the QR code, then confirm with a code.';
});

on($('verify-2fa-form'), 'submit', async (event) => {
  const form = event.target as HTMLFormElement;
  const code = (fields(form).code ?? '').trim();
  await client.expectOk(await client.api['2fa'].verify.$post({ json: { code } }));
  form.reset();
  $('enrolment').hidden = true;
  await render();
  return 'Two-factor authentication is on.';
});

on($('api-key-form'), 'submit', async (event) => {
  const form = event.target as HTMLFormElement;
  const name = fields(form).name ?? '';
  const scopes = new FormData(form).getAll('scopes').map(String) as (
    'read:documents' | 'write:documents' | 'delete:documents'
  )[];
  const created = await (
    await client.expectOk(await client.api['api-keys'].$post({ json: { name, scopes } }))
  ).json();
  $('new-key-value').textContent = created.key;
  $('new-key').hidden = false;
  form.reset();
  await renderApiKeys();
  return 'API key created. Copy it now: it is not shown again.';
});

on($('logout'), 'click', async () => {
  await client.logout();
  await render();
});

on($('logout-all'), 'click', async () => {
  await client.logoutAll();
  await render();
});

followMailLink()
  .then(async (done) => {
    await render();
    if (done) say(done);
  })
  .catch(sayError);
