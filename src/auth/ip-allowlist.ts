// IP allowlists of single addresses and CIDR ranges, IPv4 and IPv6.
import { parseIpv4, parseIpv6 } from './ip.ts';

interface Range {
  family: 4 | 6;
  bits: bigint;
  prefix: number;
}

function toBig(parts: number[], width: number): bigint {
  return parts.reduce((acc, p) => (acc << BigInt(width)) | BigInt(p), 0n);
}

function parseAddress(text: string): { family: 4 | 6; bits: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4) return { family: 4, bits: toBig(v4, 8) };
  const v6 = parseIpv6(text);
  return v6 ? { family: 6, bits: toBig(v6, 16) } : undefined;
}

/** A range from "1.2.3.4", "10.0.0.0/8", "2001:db8::/32"; undefined when it is not one. */
export function parseRange(text: string): Range | undefined {
  const [address, prefixText, ...rest] = text.trim().split('/');
  if (rest.length > 0 || !address) return undefined;
  const parsed = parseAddress(address);
  if (!parsed) return undefined;
  const max = parsed.family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return undefined;
  return { ...parsed, prefix };
}

export function ipAllowed(ip: string | null, allowlist: readonly string[]): boolean {
  if (allowlist.length === 0) return true;
  const address = ip ? parseAddress(ip) : undefined;
  if (!address) return false;
  return allowlist.some((entry) => {
    const range = parseRange(entry);
    if (!range || range.family !== address.family) return false;
    const width = range.family === 4 ? 32 : 128;
    const shift = BigInt(width - range.prefix);
    return address.bits >> shift === range.bits >> shift;
  });
}
