// A mail provider on loopback for the HTTP mail transport's tests: it keeps what `POST /send` receives (the
// headers that matter and the JSON body) so that a test inside workerd can read it back with
// `GET /received?to=`, and `POST /failing/send` answers 503 as a provider in trouble does.
import { listen, readBody, sendJson, type Listening } from '../local/http.ts';
import type { ReceivedMail } from './provided.ts';

export async function startMailProvider(): Promise<Listening> {
  const received: ReceivedMail[] = [];
  return listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://provider');
    if (req.method === 'POST' && url.pathname === '/failing/send') {
      await readBody(req);
      return sendJson(res, 503, { error: 'temporarily unavailable' });
    }
    if (req.method === 'POST' && url.pathname === '/send') {
      received.push({
        authorization: req.headers.authorization ?? null,
        contentType: req.headers['content-type'] ?? null,
        body: JSON.parse(await readBody(req)) as ReceivedMail['body'],
      });
      return sendJson(res, 202, { id: String(received.length) });
    }
    if (req.method === 'GET' && url.pathname === '/received') {
      const to = url.searchParams.get('to');
      return sendJson(res, 200, received.filter((mail) => mail.body.to === to).reverse());
    }
    sendJson(res, 404, { error: 'not found' });
  });
}
