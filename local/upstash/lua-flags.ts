// @upstash/ratelimit >= 2.1 starts its scripts with `#!lua flags=allow-key-locking`, a flag that Redis 7.0
// refuses ("Unexpected flag in script shebang"). The stand-in drops that flag before Redis sees the script,
// and remembers which SHA-1 the client computed for the original text, so that the client's
// EVALSHA -> NOSCRIPT -> EVAL path behaves exactly as against Upstash.
import { createHash } from 'node:crypto';

const UNSUPPORTED_FLAGS = new Set(['allow-key-locking']);

export function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

export function rewriteShebang(script: string): string {
  const match = /^#!lua([^\n]*)/.exec(script);
  if (!match) return script;
  const flagsPart = /\bflags=([^\s]*)/.exec(match[1] ?? '');
  if (!flagsPart) return script;
  const kept = (flagsPart[1] ?? '').split(',').filter((flag) => flag && !UNSUPPORTED_FLAGS.has(flag));
  const header = kept.length > 0 ? `#!lua flags=${kept.join(',')}` : '#!lua';
  return header + script.slice(match[0].length);
}

/** Maps the SHA-1 a client computed for a script to the SHA-1 of the text Redis actually holds. */
export class ScriptShas {
  readonly #toServer = new Map<string, string>();

  /** Returns the script text to hand to Redis, remembering the SHA mapping when it differs. */
  load(script: string): string {
    const rewritten = rewriteShebang(script);
    if (rewritten !== script) this.#toServer.set(sha1(script), sha1(rewritten));
    return rewritten;
  }

  /** The SHA-1 Redis knows for a client's SHA-1; unknown ones pass through (and answer NOSCRIPT honestly). */
  server(clientSha: string): string {
    return this.#toServer.get(clientSha.toLowerCase()) ?? clientSha;
  }

  /** The SHA-1 the client expects back from SCRIPT LOAD. */
  client(script: string): string {
    return sha1(script);
  }
}
