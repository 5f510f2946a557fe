// Client addresses. The client's address is what Cloudflare puts in CF-Connecting-IP (it overwrites any
// client-sent value); X-Forwarded-For and X-Real-IP are set by whoever sends the request, so they are never
// read. Framework-free, so that auth/ can match allowlists with the same parser.
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function clientIp(headers: Headers): string | null {
  const value = headers.get('cf-connecting-ip')?.trim();
  if (!value) return null;
  return parseIpv4(value) || parseIpv6(value) ? value.toLowerCase() : null;
}

export function parseIpv4(text: string): number[] | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

/** Eight 16-bit groups, or undefined if the text is not an IPv6 address (an embedded IPv4 tail is accepted). */
export function parseIpv6(text: string): number[] | undefined {
  let input = text.toLowerCase();
  if (!input.includes(':')) return undefined;
  const zone = input.indexOf('%');
  if (zone >= 0) input = input.slice(0, zone);
  let tail: number[] = [];
  const lastColon = input.lastIndexOf(':');
  const v4 = parseIpv4(input.slice(lastColon + 1));
  if (v4) {
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    input = input.slice(0, lastColon + 1) + '0';
  }
  const halves = input.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const groups = [...head, ...rest];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  let values = groups.map((g) => parseInt(g, 16));
  if (tail.length) values = [...values.slice(0, -1), ...tail];
  const missing = 8 - values.length;
  if (halves.length === 2) {
    if (missing < 1) return undefined;
    const left = head.map((g) => parseInt(g, 16));
    const right = values.slice(left.length);
    return [...left, ...new Array<number>(missing).fill(0), ...right];
  }
  return missing === 0 ? values : undefined;
}

/** The rate-limit identity of an address: IPv4 as is, IPv6 by its /64 (one subscriber's whole prefix). */
export function rateLimitKeyForIp(ip: string | null): string {
  if (!ip) return 'unknown';
  const v6 = parseIpv6(ip);
  if (!v6) return ip;
  return `${v6
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
