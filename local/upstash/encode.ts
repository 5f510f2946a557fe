// Upstash REST answers with Redis replies as JSON; with `Upstash-Encoding: base64` every string in a reply,
// nested arrays included, is base64 of its bytes, while integers and nulls stay raw.
export type Reply = null | number | string | Buffer | Reply[];

export function encodeReply(reply: unknown, base64: boolean): unknown {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === 'number') return reply;
  if (typeof reply === 'bigint') return Number(reply);
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString('base64') : reply.toString('utf8');
  if (typeof reply === 'string') return base64 ? Buffer.from(reply, 'utf8').toString('base64') : reply;
  if (Array.isArray(reply)) return reply.map((item) => encodeReply(item, base64));
  throw new TypeError(`unexpected Redis reply of type ${typeof reply}`);
}
