/**
 * Benchmark: the outbox dispatcher delivering N distinct personal messages (never folded) to D
 * destinations of a fake chat surface that allows each destination 1 message a second with bursts
 * of 3 and answers 429 with Retry-After beyond that. Target: every message delivered exactly once
 * in at most 1.05 × the ideal time (N / D messages at 1 a second: 50 s for 10,000 to 200).
 *
 *   npm run bench                                   # short run: 1,000 messages
 *   BENCH_DISPATCH_MESSAGES=10000 npm run bench     # the full figure (about a minute)
 *   BENCH_DATABASE_URL=postgres://… …               # on PostgreSQL instead of the embedded database
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type NotificationSender,
  type NotificationSenders,
  RateLimitedError,
} from "../core/notifications/delivery.ts";
import { parseRetryAfter } from "../core/notifications/pacing.ts";
import { systemClock } from "../core/ports.ts";
import type { Database, Db } from "../db/client.ts";
import { createDispatcher } from "../db/dispatcher.ts";
import { enqueueNotification } from "../db/outbox.ts";

type FakeSurface = {
  url: string;
  accepted: Map<number, number>;
  refused: number;
  lastAcceptedAt: number;
  close(): Promise<void>;
};

/** A chat platform's per-destination limit: a token bucket of `burst`, refilled at `rate` a second. */
async function startFakeSurface(rate: number, burst: number): Promise<FakeSurface> {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const surface: Omit<FakeSurface, "url" | "close"> = { accepted: new Map(), refused: 0, lastAcceptedAt: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const now = performance.now();
      const destination = req.url ?? "/";
      const bucket = buckets.get(destination) ?? { tokens: burst, at: now };
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
      bucket.at = now;
      buckets.set(destination, bucket);
      if (bucket.tokens < 1) {
        surface.refused += 1;
        const wait = Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
        res.writeHead(429, { "retry-after": String(wait) }).end();
        return;
      }
      bucket.tokens -= 1;
      const { id } = JSON.parse(body) as { id: number };
      surface.accepted.set(id, (surface.accepted.get(id) ?? 0) + 1);
      surface.lastAcceptedAt = now;
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(surface as FakeSurface, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** The surface's sender: POST per message; a 429 becomes RateLimitedError with its Retry-After. */
function surfaceSender(url: string): NotificationSender {
  return {
    async send(message) {
      const [item] = message.items;
      const res = await fetch(`${url}/${encodeURIComponent(message.destination)}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id: item?.outboxId, kind: message.kind }),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (res.status === 429) {
        throw new RateLimitedError(parseRetryAfter(res.headers.get("retry-after"), new Date()));
      }
      if (!res.ok) throw new Error(`surface answered ${res.status}`);
      return { reference: `fake:${item?.outboxId}` };
    },
  };
}

export type DispatchBenchResult = {
  messages: number;
  destinations: number;
  seconds: number;
  idealSeconds: number;
  /** The ideal counting the burst: the first `burst` messages of each destination go at once. */
  idealWithBurstSeconds: number;
  ratio: number;
  delivered: number;
  duplicates: number;
  missing: number;
  refusedWith429: number;
};

export async function benchDispatcher(
  database: Database,
  options: { messages: number; destinations: number; concurrency?: number },
): Promise<DispatchBenchResult> {
  const { messages, destinations } = options;
  const rate = { ratePerSecond: 1, burst: 3 };
  const surface = await startFakeSurface(rate.ratePerSecond, rate.burst);
  const entry = { sender: surfaceSender(surface.url), rate };
  const senders: NotificationSenders = { person: entry, channel: entry, system: entry };

  // Enqueue first (as state changes would have), round-robin over the destinations.
  const batch = 500;
  for (let from = 0; from < messages; from += batch) {
    await database.db.transaction(async (transaction) => {
      const tx = transaction as unknown as Db;
      for (let i = from; i < Math.min(messages, from + batch); i++) {
        await enqueueNotification(
          tx,
          {
            kind: "step.reminder",
            recipient: { type: "person", principal: `employee:B${i % destinations}` },
            data: { i },
            dedupeKey: `bench:${i}`,
          },
          systemClock.now(),
        );
      }
    });
  }

  const dispatcher = createDispatcher(database, {
    senders: () => senders,
    clock: systemClock,
    concurrency: options.concurrency ?? 64,
    batchSize: 1000,
  });
  const started = performance.now();
  dispatcher.start();
  const idealSeconds = messages / destinations / rate.ratePerSecond;
  const deadline = started + idealSeconds * 3000 + 10_000;
  let lastReport = started;
  while (surface.accepted.size < messages && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    if (process.env.BENCH_TRACE && performance.now() - lastReport > 500) {
      lastReport = performance.now();
      console.log(((lastReport - started) / 1000).toFixed(1), surface.accepted.size, surface.refused);
    }
  }
  const seconds = (surface.lastAcceptedAt - started) / 1000;
  await dispatcher.stop();
  await new Promise((r) => setTimeout(r, 200)); // anything still in flight would show as a duplicate
  await surface.close();

  let duplicates = 0;
  for (const count of surface.accepted.values()) if (count > 1) duplicates += count - 1;
  return {
    messages,
    destinations,
    seconds: Number(seconds.toFixed(2)),
    idealSeconds,
    idealWithBurstSeconds: Math.max(0, messages / destinations - rate.burst) / rate.ratePerSecond,
    ratio: Number((seconds / idealSeconds).toFixed(3)),
    delivered: surface.accepted.size,
    duplicates,
    missing: messages - surface.accepted.size,
    refusedWith429: surface.refused,
  };
}
