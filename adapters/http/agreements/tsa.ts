import { randomBytes } from "node:crypto";

/**
 * A minimal RFC 3161 client: asks a time-stamp authority to sign a SHA-256 imprint. The chain
 * head's hash is itself SHA-256(prevHash ‖ canonical entry), so it is sent as the imprint and
 * `openssl ts -verify -digest <head hash> -in token.tsr -CAfile tsa.pem` checks the token.
 */

const sha256AlgorithmId = [
  0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
];

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function tlv(tag: number, content: number[]): number[] {
  return [tag, ...derLength(content.length), ...content];
}

/** TimeStampReq { version 1, messageImprint { sha256, hash }, nonce, certReq TRUE }. */
export function timestampRequest(hashHex: string, nonce: Uint8Array): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(hashHex)) throw new RangeError("the imprint must be a SHA-256 hex digest");
  const hash = (hashHex.match(/../g) ?? []).map((b) => Number.parseInt(b, 16));
  // DER INTEGER: minimal, and positive (a 0x00 first only when the high bit is set).
  const positiveNonce = (nonce[0] ?? 0) & 0x80 ? [0x00, ...nonce] : [...nonce];
  return Uint8Array.from(
    tlv(0x30, [
      ...tlv(0x02, [0x01]),
      ...tlv(0x30, [...sha256AlgorithmId, ...tlv(0x04, hash)]),
      ...tlv(0x02, positiveNonce),
      ...tlv(0x01, [0xff]),
    ]),
  );
}

type Tlv = { tag: number; start: number; end: number; next: number };

function readTlv(der: Uint8Array, offset: number): Tlv {
  const tag = der[offset];
  let lengthByte = der[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new TimestampError("the answer is cut short");
  let start = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count < 1 || count > 4) throw new TimestampError("the answer has a bad DER length");
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = der[start + i];
      if (lengthByte === undefined) throw new TimestampError("the answer is cut short");
      length = length * 256 + lengthByte;
    }
    start += count;
  }
  const end = start + length;
  if (end > der.length) throw new TimestampError("the answer is cut short");
  return { tag, start, end, next: end };
}

function indexOf(haystack: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export class TimestampError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TimestampError";
  }
}

export type TimestampAnswer = { response: Uint8Array; genTime: Date | null };

/**
 * Reads a TimeStampResp: status granted (0) or granted with modifications (1), a token present,
 * and the token over our imprint and nonce. Returns the whole response (what `openssl ts -verify
 * -in` reads) and the TSA's genTime when it can be found.
 */
export function readTimestampResponse(der: Uint8Array, hashHex: string, nonce: Uint8Array): TimestampAnswer {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30) throw new TimestampError("the answer is not a TimeStampResp");
  const statusInfo = readTlv(der, outer.start);
  const status = readTlv(der, statusInfo.start);
  if (statusInfo.tag !== 0x30 || status.tag !== 0x02) throw new TimestampError("the answer has no status");
  const code = der[status.end - 1];
  if (code !== 0 && code !== 1) throw new TimestampError(`the time-stamp authority refused (status ${code})`);
  if (statusInfo.next >= outer.end) throw new TimestampError("the answer holds no token");
  const hash = (hashHex.match(/../g) ?? []).map((b) => Number.parseInt(b, 16));
  if (indexOf(der, [0x04, 0x20, ...hash]) < 0) throw new TimestampError("the token is not over our imprint");
  if (indexOf(der, [...nonce]) < 0) throw new TimestampError("the token does not carry our nonce");
  let genTime: Date | null = null;
  for (let i = indexOf(der, [0x18]); i >= 0 && i < der.length; ) {
    const length = der[i + 1] ?? 0;
    const text = new TextDecoder().decode(der.subarray(i + 2, i + 2 + length));
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(text);
    if (m) {
      genTime = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ""}Z`);
      break;
    }
    const next = indexOf(der.subarray(i + 1), [0x18]);
    i = next < 0 ? -1 : i + 1 + next;
  }
  return { response: der.slice(0, outer.end), genTime };
}

/** Asks the TSA at `url` for a timestamp over `hashHex`. */
export async function requestTimestamp(
  url: string,
  hashHex: string,
  options: { timeoutMs?: number } = {},
): Promise<TimestampAnswer> {
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0] ?? 0) | 0x01; // never a leading zero byte, so the nonce is found as sent
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/timestamp-query", accept: "application/timestamp-reply" },
    body: Buffer.from(timestampRequest(hashHex, nonce)),
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  if (!response.ok) throw new TimestampError(`the time-stamp authority answered HTTP ${response.status}`);
  return readTimestampResponse(new Uint8Array(await response.arrayBuffer()), hashHex, nonce);
}
