// Client addresses and allowlists: the identity every IP rate limit and key allowlist depends on.
import { describe, expect, it } from 'vitest';
import { ipAllowed, parseRange } from '../../src/auth/ip-allowlist.ts';
import { clientIp, parseIpv6, rateLimitKeyForIp } from '../../src/auth/ip.ts';

const headers = (h: Record<string, string>) => new Headers(h);

describe('clientIp', () => {
  it('reads CF-Connecting-IP only', () => {
    expect(clientIp(headers({ 'cf-connecting-ip': '203.0.113.7' }))).toBe('203.0.113.7');
    expect(clientIp(headers({ 'x-forwarded-for': '203.0.113.7', 'x-real-ip': '203.0.113.8' }))).toBeNull();
  });

  it('threat: a hostile header value is no address', () => {
    for (const value of [
      '',
      ' ',
      'localhost',
      '1.2.3',
      '256.1.1.1',
      '1.2.3.4, 5.6.7.8',
      "1.1.1.1' --",
      '::g',
    ]) {
      expect(clientIp(headers({ 'cf-connecting-ip': value })), value).toBeNull();
    }
  });
});

describe('IPv6', () => {
  it('parses the compressed, full and IPv4-tailed forms alike', () => {
    const full = [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1];
    expect(parseIpv6('2001:db8::1')).toEqual(full);
    expect(parseIpv6('2001:0db8:0000:0000:0000:0000:0000:0001')).toEqual(full);
    expect(parseIpv6('::ffff:192.0.2.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]);
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', '12345::']) {
      expect(parseIpv6(bad), bad).toBeUndefined();
    }
  });

  it('limits IPv6 clients per /64 and IPv4 per address', () => {
    expect(rateLimitKeyForIp('2001:db8:1:2:aaaa::1')).toBe(rateLimitKeyForIp('2001:db8:1:2:bbbb::2'));
    expect(rateLimitKeyForIp('2001:db8:1:2::1')).not.toBe(rateLimitKeyForIp('2001:db8:1:3::1'));
    expect(rateLimitKeyForIp('192.0.2.1')).toBe('192.0.2.1');
    expect(rateLimitKeyForIp(null)).toBe('unknown');
  });
});

describe('allowlists', () => {
  it('matches addresses and CIDR ranges of both families', () => {
    const list = ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32'];
    expect(ipAllowed('10.200.3.4', list)).toBe(true);
    expect(ipAllowed('192.0.2.7', list)).toBe(true);
    expect(ipAllowed('192.0.2.8', list)).toBe(false);
    expect(ipAllowed('2001:db8:ffff::1', list)).toBe(true);
    expect(ipAllowed('2001:db9::1', list)).toBe(false);
    expect(ipAllowed(null, list)).toBe(false);
    expect(ipAllowed(null, [])).toBe(true);
  });

  it('threat: a malformed range is refused, never read as "everything"', () => {
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0.0/-1',
      '10.0.0.0/8/8',
      '/8',
      '2001:db8::/129',
      '10.0.0.0/08x',
    ]) {
      expect(parseRange(bad), bad).toBeUndefined();
    }
  });
});
