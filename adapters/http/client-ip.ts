import { BlockList, isIP } from "node:net";

const cache = new Map<string, BlockList>();

function blockListOf(trusted: readonly string[]): BlockList {
  const key = trusted.join(",");
  let list = cache.get(key);
  if (!list) {
    list = new BlockList();
    for (const entry of trusted) {
      const [address = "", bits] = entry.split("/");
      const type = isIP(address) === 6 ? "ipv6" : "ipv4";
      if (bits === undefined) list.addAddress(address, type);
      else list.addSubnet(address, Number(bits), type);
    }
    cache.set(key, list);
  }
  return list;
}

/** Strips brackets and the IPv4-mapped IPv6 prefix. */
export function normaliseAddress(address: string): string {
  const trimmed = address.trim().replace(/^\[|\]$/g, "");
  return trimmed.startsWith("::ffff:") && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? "ipv6" : "ipv4");
}

/**
 * The client's address: the TCP peer, unless that peer is a trusted proxy, in which case
 * X-Forwarded-For is read from the right, skipping trusted hops. Untrusted peers cannot spoof it.
 */
export function clientIp(
  remote: string | undefined,
  forwardedFor: string | undefined,
  trusted: readonly string[],
): string | undefined {
  if (!remote) return undefined;
  const peer = normaliseAddress(remote);
  if (trusted.length === 0 || !forwardedFor) return peer;
  const list = blockListOf(trusted);
  if (!isTrusted(list, peer)) return peer;
  const hops = forwardedFor.split(",").map(normaliseAddress).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (isIP(hop) === 0) return peer;
    if (!isTrusted(list, hop)) return hop;
  }
  return hops[0] ?? peer;
}
