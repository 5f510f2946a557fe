// A consumer of the packed client (`portcullis/client`), compiled by scripts/check-package.sh in a project of
// its own with `skipLibCheck: false`: the published declarations must stand alone.
import { createPortcullisClient, PortcullisError, type Passkey, type User } from 'portcullis/client';

const auth = createPortcullisClient({ baseUrl: 'https://auth.example.com' });

export async function whoAmI(): Promise<{ user: User; passkeys: Passkey[] }> {
  const res = await auth.api.auth.me.$get();
  if (!res.ok) throw new PortcullisError(res.status, 'http_error', 'not signed in');
  const { user } = await res.json();
  return { user, passkeys: await auth.passkeys.list() };
}
