// Production: a JSON POST to the mail provider's endpoint with a bearer key (MAIL_HTTP_URL, MAIL_HTTP_API_KEY).
import type { Mailer } from '../ports/mailer.ts';

export function createHttpMailer(options: {
  url: string;
  apiKey: string;
  from: string;
  timeoutMs?: number;
}): Mailer {
  return {
    async send(mail) {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` },
        body: JSON.stringify({
          from: options.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          ...(mail.html ? { html: mail.html } : {}),
        }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      if (!response.ok) throw new Error(`mail provider answered ${response.status}`);
    },
  };
}
