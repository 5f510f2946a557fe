// The security headers of DESIGN.md on every response, errors and 404s included (plus Hono's
// X-Permitted-Cross-Domain-Policies: none, which OWASP still lists), and none of Hono's legacy defaults.
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

export function securityHeaders() {
  return secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
    xFrameOptions: 'DENY',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-site',
    referrerPolicy: 'no-referrer',
    xContentTypeOptions: 'nosniff',
    permissionsPolicy: Object.fromEntries(POWERFUL_FEATURES.map((feature) => [feature, []])),
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
}
