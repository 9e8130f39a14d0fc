import { BlockList, isIP, SocketAddress } from 'node:net';

/**
 * IP addresses and CIDR blocks, on Node's own parser (`net.BlockList`, `net.SocketAddress`): no regular
 * expressions over `sourceIPAddress`, which may be an IP, an AWS service name, `AWS Internal`, a
 * comma-separated list or anonymizer garbage (`225.01.00.16`). Everything here is total: bad input reads
 * as "not an address", never as an exception.
 */

export type IpFamily = 'ipv4' | 'ipv6';

/** An address in one canonical spelling, so `2001:DB8:0::1` equals `2001:db8::1`. */
export interface IpAddress {
  /** Canonical text: lower case, zeros compressed, IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as plain IPv4. */
  address: string;
  family: IpFamily;
}

/** The set of CIDR blocks of one `networks` list. */
export interface NetworkSet {
  /** The blocks that parsed, as written. */
  readonly cidrs: readonly string[];
  /** The entries that did not parse (ignored for matching). */
  readonly invalid: readonly string[];
  /** True when at least one block parsed: an all-invalid list constrains nothing. */
  readonly configured: boolean;
  /** True when the address (any spelling) lies in one of the blocks; false for anything that is not an IP. */
  contains(address: string | undefined): boolean;
}

/** Longer than any IPv6 text form (45 characters); bounds the work on hostile input. */
const MAX_ADDRESS_LENGTH = 64;
const MAPPED_PREFIX = '::ffff:';

/** The address in `text`, canonicalized; undefined when `text` is not exactly one IPv4 or IPv6 address. */
export function parseIp(text: unknown): IpAddress | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_ADDRESS_LENGTH) return undefined;
  const version = isIP(text);
  if (version === 4) return { address: text, family: 'ipv4' };
  if (version !== 6) return undefined;
  let canonical: string;
  try {
    canonical = new SocketAddress({ address: text, family: 'ipv6' }).address;
  } catch {
    return undefined;
  }
  if (canonical.startsWith(MAPPED_PREFIX)) {
    const v4 = canonical.slice(MAPPED_PREFIX.length);
    if (isIP(v4) === 4) return { address: v4, family: 'ipv4' };
  }
  return { address: canonical, family: 'ipv6' };
}

/** A CIDR block (`10.0.0.0/8`, `2001:db8::/32`) as network and prefix; undefined when malformed. */
export function parseCidr(text: string): { network: IpAddress; prefix: number } | undefined {
  const slash = text.indexOf('/');
  if (slash < 0 || slash !== text.lastIndexOf('/')) return undefined;
  const network = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (network === undefined || prefixText.length === 0 || prefixText.length > 3) return undefined;
  let prefix = 0;
  for (const char of prefixText) {
    if (char < '0' || char > '9') return undefined;
    prefix = prefix * 10 + (char.charCodeAt(0) - 48);
  }
  // A mapped network written in IPv6 (`::ffff:10.0.0.0/104`) arrives as IPv4: its prefix counts 96 bits less.
  const written = isIP(text.slice(0, slash)) === 6 ? 'ipv6' : 'ipv4';
  if (written === 'ipv6' && network.family === 'ipv4') prefix -= 96;
  const max = network.family === 'ipv4' ? 32 : 128;
  return prefix >= 0 && prefix <= max ? { network, prefix } : undefined;
}

/** Compiles a list of CIDR blocks; malformed entries are set aside in `invalid`. */
export function compileNetworks(cidrs: readonly string[]): NetworkSet {
  const list = new BlockList();
  const valid: string[] = [];
  const invalid: string[] = [];
  for (const cidr of cidrs) {
    const parsed = typeof cidr === 'string' ? parseCidr(cidr) : undefined;
    try {
      if (parsed === undefined) throw new RangeError('malformed CIDR');
      list.addSubnet(parsed.network.address, parsed.prefix, parsed.network.family);
      valid.push(cidr);
    } catch {
      invalid.push(String(cidr));
    }
  }
  return {
    cidrs: valid,
    invalid,
    configured: valid.length > 0,
    contains(address) {
      if (valid.length === 0) return false;
      const ip = parseIp(address);
      if (ip === undefined) return false;
      try {
        return list.check(ip.address, ip.family);
      } catch {
        return false;
      }
    },
  };
}

// Keyed by the config's own array, so each pipeline's list is compiled once for the life of the config.
const compiled = new WeakMap<readonly string[], NetworkSet>();

/** `compileNetworks`, once per list object (pass a pipeline's `networks` as the config holds it). */
export function networksOf(cidrs: readonly string[]): NetworkSet {
  let set = compiled.get(cidrs);
  if (set === undefined) {
    set = compileNetworks(cidrs);
    compiled.set(cidrs, set);
  }
  return set;
}
