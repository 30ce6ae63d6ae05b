import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip.ts";

describe("client IP through trusted proxies", () => {
  it("uses the TCP peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientIp("203.0.113.9", "1.2.3.4", [])).toBe("203.0.113.9");
  });

  it("ignores X-Forwarded-For from an untrusted peer", () => {
    expect(clientIp("198.51.100.7", "1.2.3.4", ["10.0.0.0/8"])).toBe("198.51.100.7");
  });

  it("reads X-Forwarded-For from the right, skipping trusted hops", () => {
    expect(clientIp("10.0.0.2", "6.6.6.6, 203.0.113.5, 10.0.0.9", ["10.0.0.0/8"])).toBe("203.0.113.5");
  });

  it("handles IPv4-mapped IPv6 peers and IPv6 ranges", () => {
    expect(clientIp("::ffff:10.1.2.3", "203.0.113.5", ["10.0.0.0/8"])).toBe("203.0.113.5");
    expect(clientIp("fd00::1", "2001:db8::7", ["fd00::/8"])).toBe("2001:db8::7");
  });

  it("falls back to the peer when a hop is garbage", () => {
    expect(clientIp("10.0.0.2", "evil, <script>", ["10.0.0.0/8"])).toBe("10.0.0.2");
  });
});
