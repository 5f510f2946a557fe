// The security headers of DESIGN.md on every response, errors and 404s included (plus Hono's
// X-Permitted-Cross-Domain-Policies: none, which OWASP still lists), and none of Hono's legacy defaults.
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

const POWERFUL_FEATURES = [
  'accelerometer',
  'autoplay',
  'camera',
  'displayCapture',
  'encryptedMedia',
  'fullscreen',
  'geolocation',
  'gyroscope',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'pictureInPicture',
  'publickeyCredentialsGet',
  'screenWakeLock',
  'serial',
  'usb',
  'xrSpatialTracking',
] as const;

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
// Not in Hono's list of features yet: off on every response but the pages that sign in.
const CREATE = 'publickey-credentials-create';

/**
 * The policy of the pages that sign in or manage passkeys: WebAuthn for this origin only (not for frames of
 * others), every other powerful feature off as everywhere.
 */
export const SIGN_IN_PERMISSIONS_POLICY = [
  ...POWERFUL_FEATURES.map((f) =>
    f === 'publickeyCredentialsGet' ? `${kebab(f)}=(self)` : `${kebab(f)}=()`,
  ),
  `${CREATE}=(self)`,
].join(', ');

const DEFAULT_PERMISSIONS_POLICY = [...POWERFUL_FEATURES.map((f) => `${kebab(f)}=()`), `${CREATE}=()`].join(
  ', ',
);

export function securityHeaders(): MiddlewareHandler {
  const headers = secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
    xFrameOptions: 'DENY',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-site',
    referrerPolicy: 'no-referrer',
    xContentTypeOptions: 'nosniff',
    // Set below as one string: Hono's option cannot name publickey-credentials-create.
    permissionsPolicy: {},
    removePoweredBy: true,
    // Hono's defaults add headers for browsers of the past (IE's download prompt, the XSS auditor that
    // Chrome and Safari removed, DNS prefetch hints) and for documents in a shared process: none of them
    // does anything for a JSON API whose CSP is default-src 'none', and every one is sent on every response.
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xXssProtection: false,
    originAgentCluster: false,
    // Keeps a policy a route set for itself (the docs page); every other response gets the one above.
    overwrite: false,
  });
  return async function securityHeaders(c, next) {
    await headers(c, next);
    if (!c.res.headers.has('Permissions-Policy')) {
      c.res.headers.set('Permissions-Policy', DEFAULT_PERMISSIONS_POLICY);
    }
  };
}
