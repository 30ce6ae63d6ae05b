/**
 * A local stand-in for the Microsoft side of a Teams bot (shared/reference/slack-teams.md §B1,
 * §B4): the Bot Framework's OpenID metadata and signing keys (so botbuilder's real JWT validation
 * runs against keys we hold), a token signer for "Teams" requests, and a Bot Connector service at
 * the activity's `serviceUrl` that records what the bot sends and can answer 403, 429 with
 * `Retry-After` or 5xx on demand. Loopback only.
 */

import { generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT } from "jose";
import { readBody } from "./read-body.ts";

/** The issuer of Bot Framework channel tokens (botbuilder's `ToBotFromChannelTokenIssuer`). */
export const channelIssuer = "https://api.botframework.com";

export type ConnectorCall = {
  kind: "create" | "send" | "reply" | "update";
  method: string;
  path: string;
  conversationId?: string;
  /** The activity replied to (`reply`) or replaced (`update`). */
  activityId?: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
  /** The id the fake answered with (`send`, `reply`, `create`). */
  answeredId?: string;
};

export type ScriptedFailure = {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Which calls it applies to (default: any connector call). */
  kinds?: ConnectorCall["kind"][];
};

export type FakeBotConnector = {
  /** The `serviceUrl` to put in activities (a regional path, trailing slash, as Teams sends it). */
  serviceUrl: string;
  /** botbuilder's `ToBotFromChannelOpenIdMetadataUrl` (and the emulator's). */
  openIdMetadataUrl: string;
  /** Every successful connector call, in order. */
  calls: ConnectorCall[];
  /** Every connector call that got a scripted failure. */
  failed: (ConnectorCall & { status: number })[];
  /** The next connector calls (of those kinds) fail like this, once each. */
  failNext(...failures: ScriptedFailure[]): void;
  /**
   * A Bot Framework channel token for `activity`: RS256 by the endorsed key, `iss`, `aud`,
   * `serviceurl` = the activity's, valid for 10 minutes — each overridable to forge one.
   */
  token(
    activity: { serviceUrl?: unknown },
    options?: {
      audience?: string;
      issuer?: string;
      serviceUrl?: string;
      /** Seconds since the epoch. */
      expiresAt?: number;
      issuedAt?: number;
      /** Sign with a key the metadata does not list, under the listed key's id. */
      forgedKey?: boolean;
      /** Sign with the key endorsed for another channel only. */
      otherChannelKey?: boolean;
    },
  ): Promise<string>;
  close(): Promise<void>;
};

function rsaKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync("rsa", { modulusLength: 2048 });
}

/** Starts the fake on 127.0.0.1 (a free port). `appId` is the bot's app id the tokens are for. */
export async function startFakeBotConnector(appId: string): Promise<FakeBotConnector> {
  const teamsKey = rsaKey();
  const otherKey = rsaKey();
  const forger = rsaKey();
  const teamsKid = `teams-${randomUUID()}`;
  const otherKid = `other-${randomUUID()}`;
  const calls: ConnectorCall[] = [];
  const failed: (ConnectorCall & { status: number })[] = [];
  const failures: ScriptedFailure[] = [];
  let sequence = 0;
  let base = "";

  const jwks = () => ({
    keys: [
      {
        ...teamsKey.publicKey.export({ format: "jwk" }),
        kid: teamsKid,
        use: "sig",
        // As the Bot Framework's own keys: endorsed for several channels.
        endorsements: ["msteams", "webchat", "directline"],
      },
      { ...otherKey.publicKey.export({ format: "jwk" }), kid: otherKid, use: "sig", endorsements: ["slack"] },
    ],
  });

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", base);
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(body === undefined ? "" : JSON.stringify(body));
      };
      if (req.method === "GET" && url.pathname === "/v1/.well-known/openidconfiguration") {
        return send(200, {
          issuer: channelIssuer,
          authorization_endpoint: `${base}/v1/authorize`,
          jwks_uri: `${base}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ["RS256"],
          token_endpoint_auth_methods_supported: ["private_key_jwt"],
        });
      }
      if (req.method === "GET" && url.pathname === "/v1/.well-known/keys") return send(200, jwks());

      const match = /^\/amer\/v3\/conversations(?:\/([^/]+)\/activities(?:\/([^/]+))?)?\/?$/.exec(
        url.pathname,
      );
      if (!match) return send(404, { error: { code: "NotFound", message: "no such route" } });
      const conversationId = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
      const activityId = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
      const kind: ConnectorCall["kind"] | undefined =
        req.method === "POST" && conversationId === undefined
          ? "create"
          : req.method === "POST" && activityId === undefined
            ? "send"
            : req.method === "POST"
              ? "reply"
              : req.method === "PUT" && activityId !== undefined
                ? "update"
                : undefined;
      if (!kind) return send(405, { error: { code: "MethodNotAllowed", message: "method not allowed" } });
      const raw = await readBody(req);
      let body: Record<string, unknown> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return send(400, { error: { code: "BadSyntax", message: "body is not JSON" } });
      }
      const call: ConnectorCall = {
        kind,
        method: req.method ?? "",
        path: url.pathname,
        ...(conversationId !== undefined ? { conversationId } : {}),
        ...(activityId !== undefined ? { activityId } : {}),
        authorization: req.headers.authorization,
        body,
      };
      const index = failures.findIndex((f) => !f.kinds || f.kinds.includes(kind));
      if (index >= 0) {
        const [failure] = failures.splice(index, 1);
        if (failure) {
          failed.push({ ...call, status: failure.status });
          return send(failure.status, failure.body, failure.headers);
        }
      }
      sequence += 1;
      if (kind === "create") {
        const id = `a:1fake-personal-${sequence}`;
        calls.push({ ...call, answeredId: id });
        return send(201, { id, activityId: `${1772410600000 + sequence}` });
      }
      if (kind === "update") {
        calls.push(call);
        return send(200, { id: activityId });
      }
      const id = `${1772410700000 + sequence}`;
      calls.push({ ...call, answeredId: id });
      return send(201, { id });
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;

  return {
    serviceUrl: `${base}/amer/`,
    openIdMetadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    calls,
    failed,
    failNext(...more) {
      failures.push(...more);
    },
    async token(activity, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const key = options.forgedKey ? forger : options.otherChannelKey ? otherKey : teamsKey;
      const kid = options.otherChannelKey ? otherKid : teamsKid;
      return new SignJWT({
        serviceurl:
          options.serviceUrl ?? (typeof activity.serviceUrl === "string" ? activity.serviceUrl : ""),
      })
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setIssuer(options.issuer ?? channelIssuer)
        .setAudience(options.audience ?? appId)
        .setIssuedAt(options.issuedAt ?? now - 5)
        .setNotBefore(options.issuedAt ?? now - 5)
        .setExpirationTime(options.expiresAt ?? now + 600)
        .sign(key.privateKey);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
