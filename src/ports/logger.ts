/** Structured logs, one JSON object a line. Callers pass fields, never secrets: no tokens, keys, passwords, SQL. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

function line(level: string, event: string, fields: Record<string, unknown> = {}) {
  return JSON.stringify({ level, event, ...fields });
}

export const consoleLogger: Logger = {
  info: (event, fields) => console.log(line('info', event, fields)),
  warn: (event, fields) => console.warn(line('warn', event, fields)),
  error: (event, fields) => console.error(line('error', event, fields)),
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
