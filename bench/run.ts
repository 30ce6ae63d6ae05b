/**
 * Baton's benchmarks: `npm run bench`. Numbers go into the session notes; no test asserts them.
 * Each case runs for a fixed time in-process (no network), on the embedded database. Then the
 * outbox benchmarks (short by default; the full figures with the knobs):
 *   BENCH_DISPATCH_MESSAGES (1000; 10000 for the full figure), BENCH_DISPATCH_DESTINATIONS (200),
 *   BENCH_DATABASE_URL (a PostgreSQL server: scratch databases there instead of PGlite, and the
 *   tick benchmark), BENCH_TICK_STEPS (10000; 100000 for the full figure), BENCH_TRACE=1 (progress).
 * With BENCH_SLACK_CLICKS=N, then the Slack click benchmark (bench/slack-clicks.ts, on PostgreSQL:
 * BENCH_DATABASE_URL or the local default), N clicks a run; alone: `npm run bench:slack`.
 */
import { randomBytes } from "node:crypto";
import { openDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { createTestApp } from "../test/helpers/app.ts";
import { benchDispatcher } from "./dispatcher.ts";
import { withScratchDatabase } from "./scratch.ts";
import { benchTick } from "./tick.ts";

type Result = { name: string; ops: number; perSecond: number; p50: number; p99: number };

async function measure(name: string, seconds: number, op: () => Promise<unknown>): Promise<Result> {
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  for (let i = 0; i < 50; i++) await op(); // warm-up
  while (performance.now() < end) {
    const start = performance.now();
    await op();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const total = times.reduce((a, b) => a + b, 0);
  return {
    name,
    ops: times.length,
    perSecond: Math.round((times.length / total) * 1000),
    p50: Number((times[Math.floor(times.length * 0.5)] ?? 0).toFixed(3)),
    p99: Number((times[Math.floor(times.length * 0.99)] ?? 0).toFixed(3)),
  };
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 3);
  const startedAt = performance.now();
  const database = await openDatabase({ kind: "pglite-memory" });
  const bootMs = performance.now() - startedAt;
  await migrate(database);
  const adminToken = randomBytes(32).toString("base64url");
  const t = await createTestApp(database, { env: { BATON_ADMIN_TOKEN: adminToken } });
  t.services.logger.level = "silent";
  const created = await t.request("/api/v1/admin/api-keys", {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench", principal: "system:bench", scopes: ["cases:read"] }),
  });
  const { key } = (await created.json()) as { key: string };
  const link = await t.services.linkTokens.issue({
    principal: "test:bench",
    purpose: "login",
    ttlSeconds: 600,
  });

  const results: Result[] = [];
  results.push(await measure("GET /healthz (in-process)", seconds, () => t.request("/healthz")));
  results.push(
    await measure("GET /api/v1/me with an API key (PGlite lookup)", seconds, () =>
      t.request("/api/v1/me", { headers: { authorization: `Bearer ${key}` } }),
    ),
  );
  results.push(
    await measure("link token issue (Ed25519 JWS)", seconds, () =>
      t.services.linkTokens.issue({ principal: "test:bench", purpose: "login", ttlSeconds: 600 }),
    ),
  );
  results.push(await measure("link token verify", seconds, () => t.services.linkTokens.verify(link.token)));
  results.push(
    await measure("GET /a/:token preview page", seconds, () => t.request(new URL(link.url).pathname)),
  );

  const memory = process.memoryUsage();
  console.log(`PGlite in-memory start: ${Math.round(bootMs)} ms`);
  console.table(results);
  console.log(
    `memory: rss ${Math.round(memory.rss / 2 ** 20)} MiB, heap used ${Math.round(memory.heapUsed / 2 ** 20)} MiB`,
  );
  await database.close();

  await outboxBenchmarks();

  if (process.env.BENCH_SLACK_CLICKS) {
    const slack = await import("./slack-clicks.ts");
    slack.printSlackClicks(await slack.benchSlackClicks(slack.slackClicksOptionsFromEnv()));
  }
}

/**
 * The outbox dispatcher against a rate-limited fake surface (bench/dispatcher.ts), on PGlite or on
 * BENCH_DATABASE_URL; the scheduler's tick over many open steps (bench/tick.ts), PostgreSQL only.
 */
async function outboxBenchmarks(): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  const messages = Number(process.env.BENCH_DISPATCH_MESSAGES ?? 1000);
  const destinations = Number(process.env.BENCH_DISPATCH_DESTINATIONS ?? 200);
  const result = await withScratchDatabase(serverUrl, "dispatch", (database) =>
    benchDispatcher(database, { messages, destinations }),
  );
  console.log(
    `dispatcher (${serverUrl ? "postgres" : "pglite"}): ${result.delivered}/${messages} personal messages to ` +
      `${destinations} destinations at 1/s (burst 3) in ${result.seconds} s; ideal ${result.idealSeconds} s ` +
      `(${result.idealWithBurstSeconds} s counting the burst); ` +
      `ratio ${result.ratio} (target ≤ 1.05); duplicates ${result.duplicates}, missing ${result.missing}, ` +
      `429s ${result.refusedWith429}`,
  );

  if (!serverUrl) {
    console.log("tick over open steps: set BENCH_DATABASE_URL (PostgreSQL) to run it");
    return;
  }
  const steps = Number(process.env.BENCH_TICK_STEPS ?? 10_000);
  const tick = await benchTick(serverUrl, { openSteps: steps });
  console.log(
    `tick() over ${tick.openSteps} open steps in ${tick.cases} cases (PostgreSQL); jobs: ${tick.jobs.join(", ")}`,
  );
  console.table(tick.ticks);
}

await main();
