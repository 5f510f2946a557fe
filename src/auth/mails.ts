// The text of the mails the service sends. Links carry the token in the fragment-free query of a page of the
// SPA's choosing (PUBLIC_URL); the token is also shown on its own for API clients.
import type { Mail } from '../ports/mailer.ts';

export function passwordResetMail(to: string, publicUrl: string, token: string): Mail {
  return {
    to,
    subject: 'Reset your password',
    text: [
      'Someone (hopefully you) asked to reset the password of this account.',
      '',
      `Reset it here within one hour: ${publicUrl}/reset-password?token=${token}`,
      `Or use this token with POST /api/v1/auth/reset-password/confirm: ${token}`,
      '',
      'If it was not you, ignore this mail: your password stays as it is.',
    ].join('\n'),
  };
}

export function verificationMail(to: string, publicUrl: string, token: string): Mail {
  return {
    to,
    subject: 'Confirm your email address',
    text: [
      'Confirm that this address is yours:',
      '',
      `${publicUrl}/verify-email?token=${token}`,
      `Or use this token with POST /api/v1/auth/verify-email/confirm: ${token}`,
      '',
      'The link is valid for 24 hours.',
    ].join('\n'),
  };
}
