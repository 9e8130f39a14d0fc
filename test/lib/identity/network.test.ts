import { describe, expect, it } from 'vitest';
import { compileNetworks, networksOf, parseCidr, parseIp } from '../../../lib/identity/network.ts';

describe('parseIp', () => {
  it('reads IPv4 and IPv6 addresses, IPv6 in one canonical spelling', () => {
    expect(parseIp('52.154.133.36')).toEqual({ address: '52.154.133.36', family: 'ipv4' });
    expect(parseIp('2001:DB8:0:0::7')).toEqual({ address: '2001:db8::7', family: 'ipv6' });
    expect(parseIp('::1')).toEqual({ address: '::1', family: 'ipv6' });
  });

  it('reads IPv4-mapped IPv6 as the IPv4 address, in either notation', () => {
    expect(parseIp('::ffff:52.154.133.36')).toEqual({ address: '52.154.133.36', family: 'ipv4' });
    expect(parseIp('::FFFF:349a:8524')).toEqual({ address: '52.154.133.36', family: 'ipv4' });
  });

  it.each([
    ['AWS Internal'],
    ['cloudformation.amazonaws.com'],
    ['10.0.0.1, 10.0.0.2'],
    ['225.01.00.16'],
    ['255.090.254.5'],
    ['256.1.1.1'],
    [' 10.0.0.1'],
    ['10.0.0.1/8'],
    [''],
    ['1'.repeat(100)],
    [':::'],
  ])('is undefined for %j (not exactly one address)', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it('is undefined for non-strings', () => {
    for (const value of [undefined, null, 42, {}, ['10.0.0.1']]) expect(parseIp(value)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it('reads IPv4 and IPv6 blocks', () => {
    expect(parseCidr('140.82.112.0/20')).toEqual({
      network: { address: '140.82.112.0', family: 'ipv4' },
      prefix: 20,
    });
    expect(parseCidr('2001:DB8::/32')).toEqual({
      network: { address: '2001:db8::', family: 'ipv6' },
      prefix: 32,
    });
  });

  it('reads a mapped IPv6 block as the IPv4 block it covers', () => {
    expect(parseCidr('::ffff:10.0.0.0/104')).toEqual({
      network: { address: '10.0.0.0', family: 'ipv4' },
      prefix: 8,
    });
  });

  it.each([
    ['10.0.0.0/33'],
    ['2001:db8::/129'],
    ['10.0.0.0'],
    ['10.0.0.0/'],
    ['10.0.0.0/8/8'],
    ['10.0.0.0/-1'],
    ['10.0.0.0/1e1'],
    ['999.0.0.0/8'],
    ['::ffff:10.0.0.0/95'],
    ['garbage/8'],
  ])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('compileNetworks', () => {
  const networks = compileNetworks(['52.154.0.0/16', '2001:db8:100::/48']);

  it('matches addresses inside any block, IPv4 and IPv6', () => {
    expect(networks.configured).toBe(true);
    expect(networks.contains('52.154.133.36')).toBe(true);
    expect(networks.contains('52.155.0.1')).toBe(false);
    expect(networks.contains('2001:db8:100:7::1')).toBe(true);
    expect(networks.contains('2001:db8:101::1')).toBe(false);
  });

  it('matches an IPv4 address written as mapped IPv6', () => {
    expect(networks.contains('::ffff:52.154.1.1')).toBe(true);
  });

  it('treats host bits in a block as the network (10.1.2.3/8 is 10.0.0.0/8)', () => {
    expect(compileNetworks(['10.1.2.3/8']).contains('10.200.0.1')).toBe(true);
  });

  it('matches nothing that is not an address', () => {
    for (const text of [
      'AWS Internal',
      'cloudformation.amazonaws.com',
      '52.154.1.1, 52.154.1.2',
      undefined,
    ]) {
      expect(networks.contains(text)).toBe(false);
    }
  });

  it('sets malformed entries aside; a list of only malformed entries is not configured', () => {
    const mixed = compileNetworks(['999.1.1.1/8', '10.0.0.0/8', '::/200']);
    expect(mixed.cidrs).toEqual(['10.0.0.0/8']);
    expect(mixed.invalid).toEqual(['999.1.1.1/8', '::/200']);
    expect(mixed.contains('10.9.9.9')).toBe(true);
    const broken = compileNetworks(['999.1.1.1/8']);
    expect(broken.configured).toBe(false);
    expect(broken.contains('999.1.1.1')).toBe(false);
    expect(compileNetworks([]).configured).toBe(false);
  });

  it('never throws on hostile input', () => {
    const hostile = [':'.repeat(10_000), `${'1.'.repeat(5000)}/8`, '\u0000/8', '/', '//'];
    expect(() => compileNetworks(hostile)).not.toThrow();
    expect(compileNetworks(hostile).configured).toBe(false);
    expect(() => networks.contains(':'.repeat(10_000))).not.toThrow();
  });
});

describe('networksOf', () => {
  it('compiles each list object once', () => {
    const list = ['10.0.0.0/8'];
    expect(networksOf(list)).toBe(networksOf(list));
    expect(networksOf([...list])).not.toBe(networksOf(list));
  });
});
