import { lookup as dnsLookup, promises as dns } from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import { badInput } from '../graphql';

/** Addresses a webhook may not reach unless WEBHOOK_ALLOW_PRIVATE=true: loopback, private, link-local and the like. */
const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) BLOCKED.addSubnet(prefix, bits, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
  const family = net.isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export interface UrlPolicy {
  allowPrivate: boolean;
  requireHttps: boolean;
}

const MAX_URL = 2000;

/**
 * Validates a webhook URL: http(s) only (https in production), no credentials, and a host
 * that resolves only to public addresses (unless allowed). BAD_USER_INPUT on `url` otherwise.
 */
export async function checkWebhookUrl(raw: string, policy: UrlPolicy): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badInput('input.url', 'url is not a valid absolute URL');
  }
  if (raw.length > MAX_URL) throw badInput('input.url', `url is longer than ${MAX_URL} characters`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput('input.url', 'url must be http(s)');
  if (policy.requireHttps && url.protocol !== 'https:') throw badInput('input.url', 'url must use https in production');
  if (url.username || url.password) throw badInput('input.url', 'url must not carry credentials; deliveries are signed instead');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    throw badInput('input.url', `the host ${host} does not resolve`);
  }
  if (!policy.allowPrivate && addresses.some(isPrivateAddress)) {
    throw badInput('input.url', 'url resolves to a loopback, private or link-local address');
  }
  return url.toString();
}

/**
 * A DNS lookup for deliveries that refuses private addresses at connect time too, so a host
 * that resolved to a public address at registration cannot be re-pointed inside (DNS rebinding).
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, options, (error, address, family) => {
      if (error) return callback(error, address as string, family);
      const list = Array.isArray(address) ? address.map((a) => a.address) : [address];
      if (!allowPrivate && list.some(isPrivateAddress)) {
        return callback(Object.assign(new Error(`${hostname} resolves to a private address`), { code: 'EPRIVATE' }), address as string, family);
      }
      callback(null, address as string, family);
    });
  };
}
