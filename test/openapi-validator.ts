// An OpenAPI validator for the worker tests: @seriousme/openapi-schema-validator (JSON Schema validation of the
// document against the official OpenAPI 3.1 schema, with ajv) cannot run inside workerd, which forbids the code
// generation ajv relies on. The global setup serves it on loopback; the test inside workerd posts the document
// the app generated and asserts on the verdict.
import { createServer, type Server } from 'node:http';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { OpenApiVerdict } from './provided.ts';

async function judge(document: unknown): Promise<OpenApiVerdict> {
  const validator = new Validator();
  const result = await validator.validate(document as Parameters<Validator['validate']>[0]);
  let refsResolved = false;
  if (result.valid) {
    try {
      validator.resolveRefs();
      refsResolved = true;
    } catch {
      refsResolved = false;
    }
  }
  return { valid: result.valid, version: validator.version, errors: result.errors ?? null, refsResolved };
}

export async function startOpenApiValidator(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = async () => {
        try {
          return JSON.stringify(await judge(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        } catch (error) {
          return JSON.stringify({
            valid: false,
            version: undefined,
            errors: String(error),
            refsResolved: false,
          });
        }
      };
      void answer().then((body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
