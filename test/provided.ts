// What the global setup (Node) hands the tests inside workerd through vitest's provide/inject. Types only, so
// both the Node and the workerd projects can import it.
export interface OpenApiVerdict {
  valid: boolean;
  version: string | undefined;
  errors: unknown;
  /** Every $ref resolved (a dangling reference is an error of its own). */
  refsResolved: boolean;
}

/** A mail as the loopback mail provider (mail-provider.ts) received it. */
export interface ReceivedMail {
  authorization: string | null;
  contentType: string | null;
  body: { from?: string; to?: string; subject?: string; text?: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    workerEnv: Record<string, string>;
    openApiValidatorUrl: string;
  }
}
