// Development and tests: mails are logged (subject and recipient only) and kept in the store's outbox, so that
// GET /dev/outbox, the demo page and black-box tests can follow links; nothing leaves the machine.
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { Store } from '../ports/store.ts';
import type { Mailer } from '../ports/mailer.ts';

export function createLogMailer(store: Store, clock: Clock, logger: Logger): Mailer {
  return {
    async send(mail) {
      logger.info('mail_sent', { to: mail.to, subject: mail.subject, transport: 'log' });
      await store.pushOutbox({ ...mail, created_at: clock.now().toISOString() });
    },
  };
}
