import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { verifyWebhook, WebhookSignatureError } from "../../adapters/connectors/standard-webhooks.ts";

/** How the fake answers one request: a status, headers, and an optional delay (to force a timeout). */
export type FakeAnswer = { status: number; headers?: Record<string, string>; delayMs?: number };

export type ReceivedCall = {
  webhookId: string;
  /** Whether the Standard Webhooks signature verified with the shared secret. */
  verified: boolean;
  payload: unknown;
};

/** A small stand-in for an outside system (CRM, finance) on a loopback port. */
export type FakeSystem = {
  url: string;
  received: ReceivedCall[];
  /** Answers for the next requests, in order; when empty, 200. */
  answers: FakeAnswer[];
  close(): Promise<void>;
};

export async function startFakeSystem(options: {
  secret: string;
  path?: string;
  /** The fake's clock for the signature's freshness (a test's manual clock); default the real one. */
  now?: () => Date;
}): Promise<FakeSystem> {
  const received: ReceivedCall[] = [];
  const answers: FakeAnswer[] = [];
  const path = options.path ?? "/baton";
  const app = new Hono();
  app.post(path, async (c) => {
    const raw = await c.req.text();
    let verified = true;
    try {
      verifyWebhook(options.secret, raw, c.req.raw.headers, options.now?.() ?? new Date());
    } catch (error) {
      if (!(error instanceof WebhookSignatureError)) throw error;
      verified = false;
    }
    received.push({ webhookId: c.req.header("webhook-id") ?? "", verified, payload: JSON.parse(raw) });
    const answer = answers.shift() ?? { status: 200 };
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    return new Response(answer.status === 204 ? null : "{}", {
      status: answer.status,
      headers: { "content-type": "application/json", ...answer.headers },
    });
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

/** A fresh `whsec_` secret (32 random bytes). */
export function newWebhookSecret(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return `whsec_${Buffer.from(bytes).toString("base64")}`;
}
