// The sign-in mail: a link to a page that POSTs its token (so a link-preview bot that GETs it spends nothing)
// and the same sign-in as a 6-digit code, in plain text and in HTML.
import type { Mail } from '../../ports/mailer.ts';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export function signInMail(to: string, link: string, code: string, minutes: number): Mail {
  return {
    to,
    subject: `Your sign-in code: ${code}`,
    text: [
      'Sign in with this link:',
      '',
      link,
      '',
      `Or enter this code: ${code}`,
      '',
      `Both work once, for ${minutes} minutes. If you did not ask to sign in, ignore this mail.`,
    ].join('\n'),
    html: [
      '<!doctype html><html><body style="font-family:sans-serif">',
      `<p><a href="${escapeHtml(link)}">Sign in</a></p>`,
      `<p>Or enter this code: <strong style="font-size:1.4em;letter-spacing:.2em">${escapeHtml(code)}</strong></p>`,
      `<p>Both work once, for ${minutes} minutes. If you did not ask to sign in, ignore this mail.</p>`,
      '</body></html>',
    ].join(''),
  };
}
