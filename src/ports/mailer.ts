/** Outgoing mail as a port: a log transport for development and tests, an HTTP transport for production. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative of `text`, for the mails that have one. */
  html?: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}
