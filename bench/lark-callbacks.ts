/**
 * Benchmark (issue 8): signed, encrypted Lark `card.action.trigger` callbacks at 50 keep-alive
 * connections, beside the Slack route and a raw Hono baseline in the same run, on one scratch
 * PostgreSQL database; each server in its own process on a loopback port:
 *
 * - **Baton, Lark**: the whole app (`openRuntime` + `createApp` behind `@hono/node-server`, workers
 *   started) with Lark and Slack on; the real SDK `Client` talks to a local fake of the Lark open
 *   API (test/fakes/lark-api.ts, `LARK_DOMAIN`); `POST /webhooks/lark`. The click is the leaver's
 *   "My checklist" button (`case.status`) of the notice receipt card as Lark shows it in their 1:1
 *   chat (renderLarkCard, `chatType: direct`): our verify (signature over the raw bytes, age,
 *   decryption, token), the SDK's `CardActionHandler`, the bot (person by open_id, the case and its
 *   steps, the read check) and the inline answer — a toast and their checklist card in the callback
 *   response, within Lark's 3 s. The click's durable effect is its inbox row (`chat:lark`,
 *   `event:<event_id>`) recorded and marked done in the transaction that ran the bot.
 * - **Baton, Slack**: the same process, `POST /webhooks/slack`, the same button as signed
 *   `block_actions` (bench/slack-clicks.ts `makeClicks`); effect: its inbox row (`chat:slack`) done;
 *   answer: the `chat.update` reaching a fake Slack Web API (slack-clicks' own, in its own process).
 * - **raw Hono**: a Hono route with the same Lark check (adapters/lark/verify.ts `verifyLarkRequest`)
 *   and one INSERT (event_id, open_id, action, value), then `{}`.
 *
 * The load generator is slack-clicks' `load` (each connection one request at a time). Every click is
 * a distinct, freshly signed and encrypted payload (own event_id, nonce and IV). Per run: callbacks/s
 * answered (all N answered 200), p50/p99 time to answer; then nothing lost or applied twice: effects
 * = clicks, each once (inbox rows / INSERTed rows by unique key); Lark: no answer fell back to a
 * later `im.message.patch` (the bot beat the 2.5 s deadline), and a sampled click's answer carries
 * the toast and the checklist card; Slack: one `chat.update` per clicked message. Median of the runs.
 *
 *   npm run bench:lark                                        # 3 runs × 5,000 callbacks each
 *   BENCH_LARK_CLICKS=1000 BENCH_LARK_RUNS=1 npm run bench:lark   # a short look
 *
 * Knobs: BENCH_LARK_CLICKS (5000 a run), BENCH_LARK_RUNS (3), BENCH_LARK_CONNECTIONS (50),
 * BENCH_LARK_TARGETS (`lark,slack,hono`), BENCH_LARK_LEAVERS (100), BENCH_LARK_POOL (10: the raw
 * Hono server's pool, as Baton's), BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test;
 * a scratch database is created there and dropped afterwards), BENCH_TRACE=1 (progress),
 * BENCH_LARK_PROFILE=<dir> (a CPU profile of the Baton process there).
 */
import { type ChildProcess, fork } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import type http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import postgres from "postgres";
import type { LarkCard, LarkElement } from "../adapters/lark/render.ts";
import {
  cardActionPayload,
  clickables,
  signedLarkRequest,
  testAppId,
  testSecrets,
  testTenantKey,
} from "../test/fakes/lark.ts";
import { withScratchDatabase } from "./scratch.ts";
import { load, makeClicks, seedBaton } from "./slack-clicks.ts";

// slack-clicks.ts signs its clicks and seeds with these (not exported there): Baton must agree.
const slackSigningSecret = "bench-signing-secret-0123456789abcdef";
const slackBotToken = "xoxb-bench-token";
const slackTeamId = "T0BENCH";
const adminToken = `adm-${"b".repeat(40)}`;

const webhookPath = { lark: "/webhooks/lark", slack: "/webhooks/slack", hono: "/webhooks/lark" } as const;
type Target = keyof typeof webhookPath;

type Json = Record<string, unknown>;
type Request = { body: string; headers: Record<string, string> };

export type LarkCallbacksOptions = {
  clicks: number;
  runs: number;
  connections: number;
  targets: readonly Target[];
  leavers: number;
  pool: number;
  serverUrl: string;
  trace?: boolean;
};

export type LarkRunFigures = {
  clicks: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Until every effect was in the database (and, for Slack, every answer at the fake). */
  endToEndPerSecond: number;
  /** Answered with anything but 200, or whose effect never arrived, or (Slack) never answered. */
  lost: number;
  /** Effects (or Slack answers) more than once; Lark: answers that fell back to a later patch. */
  duplicated: number;
  late?: number;
};

export type LarkCallbacksReport = {
  options: Omit<LarkCallbacksOptions, "serverUrl">;
  database: string;
  targets: { target: Target; runs: LarkRunFigures[]; median: LarkRunFigures }[];
};

// ---------------------------------------------------------------------------------------------
// Child processes: Baton (Lark + Slack) and the raw Hono baseline

async function serveBaton(databaseUrl: string, slackApiUrl: string, larkDomain: string): Promise<number> {
  const { loadConfig } = await import("../adapters/http/config.ts");
  const { createLogger } = await import("../adapters/http/logger.ts");
  const { openRuntime } = await import("../adapters/http/runtime.ts");
  const { createApp } = await import("../adapters/http/app.ts");
  const { testLarkAppSecret } = await import("../test/fakes/lark-api.ts");
  const dir = mkdtempSync(path.join(tmpdir(), "baton-bench-lark-"));
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    HOST: "127.0.0.1",
    BATON_DATA_DIR: path.join(dir, "data"),
    BATON_KEYS_DIR: path.join(dir, "keys"),
    BATON_BACKUP_DIR: path.join(dir, "backups"),
    BATON_SIGNING_KEY: generateKeyPairSync("ed25519")
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString(),
    BATON_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    BATON_ADMIN_TOKEN: adminToken,
    BATON_DEMO: "0",
    BATON_LOG_LEVEL: "warn",
    SLACK_SIGNING_SECRET: slackSigningSecret,
    SLACK_BOT_TOKEN: slackBotToken,
    SLACK_API_URL: slackApiUrl,
    SLACK_TEAM_IDS: slackTeamId,
    LARK_APP_ID: testAppId,
    LARK_APP_SECRET: testLarkAppSecret,
    LARK_ENCRYPT_KEY: testSecrets.encryptKey,
    LARK_VERIFICATION_TOKEN: testSecrets.verificationToken,
    LARK_DOMAIN: larkDomain,
    LARK_TENANT_KEYS: testTenantKey,
  });
  const logger = createLogger(config.BATON_LOG_LEVEL);
  const runtime = await openRuntime(config, {
    logger,
    holder: "server",
    remoteAddress: (env) =>
      (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
        ?.remoteAddress,
  });
  await runtime.prepare();
  const app = createApp(runtime.services);
  process.on("disconnect", () => {
    void runtime.close().finally(() => process.exit(0));
  });
  return listen(app.fetch);
}

async function serveHono(databaseUrl: string, pool: number): Promise<number> {
  const { Hono } = await import("hono");
  const { verifyLarkRequest } = await import("../adapters/lark/verify.ts");
  const sql = postgres(databaseUrl, { max: pool, onnotice: () => {} });
  const app = new Hono();
  app.post(webhookPath.hono, async (c) => {
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    const request = { method: c.req.method, url: c.req.url, headers, body: await c.req.text() };
    const verified = verifyLarkRequest(request, new Date(), testSecrets);
    if (!verified.ok) return c.json({}, 401);
    if (verified.handshake) return c.json({ challenge: verified.payload.challenge }, 200);
    const payload = verified.payload;
    const header = (payload.header ?? {}) as Json;
    const event = (payload.event ?? {}) as Json;
    const action = (event.action ?? {}) as Json;
    const baton = (((action.value ?? {}) as Json).baton ?? {}) as Json;
    if (typeof header.event_id !== "string") return c.json({}, 400);
    await sql`insert into bench_lark_clicks (click_key, user_id, action_id, value)
      values (${header.event_id}, ${String(((event.operator ?? {}) as Json).open_id)},
              ${String(baton.action ?? "")}, ${typeof baton.value === "string" ? baton.value : null})`;
    return c.json({}, 200);
  });
  process.on("disconnect", () => {
    void sql.end({ timeout: 5 }).finally(() => process.exit(0));
  });
  return listen(app.fetch);
}

async function listen(fetch: (request: globalThis.Request) => Response | Promise<Response>): Promise<number> {
  const { serve } = await import("@hono/node-server");
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
    (server as http.Server).keepAliveTimeout = 60_000;
  });
}

type Child = { port: number; process: ChildProcess; call(cmd: string, fields?: Json): Promise<unknown> };

/**
 * Forks `file --serve role`; it sends `{ready, port}`, answers `{id, cmd}` with `{id, result}` and
 * exits when disconnected (slack-clicks.ts speaks the same to its fake Slack Web API).
 */
function startChild(file: string, role: string, env: Record<string, string>): Promise<Child> {
  const proc = fork(file, ["--serve", role], {
    execArgv: [
      "--import",
      "tsx",
      ...(process.env.BENCH_LARK_PROFILE && role === "baton"
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_LARK_PROFILE}`]
        : []),
    ],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let nextId = 0;
  const waiting = new Map<number, (value: unknown) => void>();
  return new Promise((resolve, reject) => {
    proc.once("exit", (code) => reject(new Error(`${role} exited with ${code} before it was ready`)));
    proc.on("message", (message: Json) => {
      if (message.ready) {
        resolve({
          port: Number(message.port),
          process: proc,
          call(cmd, fields = {}) {
            const id = ++nextId;
            return new Promise((res) => {
              waiting.set(id, res);
              proc.send({ id, cmd, ...fields });
            });
          },
        });
        return;
      }
      const id = Number(message.id);
      waiting.get(id)?.(message.result);
      waiting.delete(id);
    });
  });
}

function stopChild(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.process.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.process.kill("SIGKILL"), 5000);
    child.process.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.process.disconnect();
  });
}

async function child(role: string): Promise<void> {
  const databaseUrl = process.env.BENCH_CHILD_DATABASE_URL ?? "";
  const port =
    role === "baton"
      ? await serveBaton(
          databaseUrl,
          process.env.BENCH_CHILD_SLACK_API ?? "",
          process.env.BENCH_CHILD_LARK_DOMAIN ?? "",
        )
      : role === "hono"
        ? await serveHono(databaseUrl, Number(process.env.BENCH_CHILD_POOL ?? 10))
        : undefined;
  if (port === undefined) throw new Error(`unknown role ${role}`);
  process.send?.({ ready: true, port });
}

// ---------------------------------------------------------------------------------------------
// The Lark clicks

type LarkLeaver = { openId: string; caseId: string; checklist: { button: LarkElement } };

/** The receipt card's "My checklist" button as Lark shows it in the leaver's 1:1 chat. */
async function checklistButton(caseId: string): Promise<{ button: LarkElement }> {
  const { renderLarkCard } = await import("../adapters/lark/render.ts");
  const { noticeReceipt } = await import("../cards/templates/offboarding.ts");
  const { translate } = await import("../core/messages/index.ts");
  const card: LarkCard = renderLarkCard(
    noticeReceipt(
      {
        caseId,
        employeeName: "Leaver",
        noticeDate: "2026-03-02",
        receivedAt: "now",
        legalLastDay: "2026-04-01",
        plannedLastDay: "2026-04-01",
      },
      { locale: "en", t: translate },
    ),
    { chatType: "direct" },
  );
  const hit = clickables(card).find((c) => {
    const callback = ((c.button.behaviors as Json[] | undefined) ?? []).find((b) => b.type === "callback");
    return ((callback?.value as Json | undefined)?.baton as Json | undefined)?.action === "case.status";
  });
  if (!hit) throw new Error("the Lark receipt card has no checklist button");
  return { button: hit.button };
}

/** Signed, encrypted `card.action.trigger` requests: distinct event_id, nonce and IV, signed now. */
function makeLarkClicks(leavers: LarkLeaver[], count: number, tag: number): Request[] {
  const now = new Date();
  const out: Request[] = [];
  for (let i = 0; i < count; i++) {
    const leaver = leavers[i % leavers.length] as LarkLeaver;
    const seq = String(i).padStart(6, "0");
    const payload = cardActionPayload(
      leaver.checklist,
      {},
      {
        eventId: `ev${tag}x${seq}x${randomBytes(6).toString("hex")}`,
        openId: leaver.openId,
        chatId: `oc_p2p_${leaver.openId}`,
        messageId: `om_${tag}x${seq}`,
      },
    );
    const signed = signedLarkRequest({ payload, now, nonce: randomBytes(8).toString("hex") });
    out.push({
      body: signed.body,
      headers: { ...signed.headers, "content-length": String(Buffer.byteLength(signed.body)) },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Runs

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number);
const round = (n: number) => Number(n.toFixed(1));

type Effects = { effects: number; duplicated: number; unanswered?: number; late?: number };

async function measure(
  port: number,
  target: Target,
  clicks: Request[],
  connections: number,
  effects: () => Promise<{ seen: Effects; complete: boolean }>,
): Promise<LarkRunFigures> {
  const n = clicks.length;
  const result = await load(port, webhookPath[target], clicks, connections);
  let last = await effects();
  const deadline = performance.now() + 120_000;
  while (!last.complete && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    last = await effects();
  }
  const effectsAt = performance.now();
  // Anything still arriving late would be a second effect or answer.
  await new Promise((r) => setTimeout(r, 200));
  const { seen } = await effects();
  const sorted = result.latencies.slice().sort();
  return {
    clicks: n,
    perSecond: Math.round(n / ((result.ackedAt - result.startedAt) / 1000)),
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    endToEndPerSecond: Math.round(n / ((Math.max(effectsAt, result.ackedAt) - result.startedAt) / 1000)),
    lost: result.failed + Math.max(0, n - seen.effects) + (seen.unanswered ?? 0),
    duplicated: seen.duplicated + (seen.late ?? 0),
    ...(seen.late !== undefined ? { late: seen.late } : {}),
  };
}

function median(runs: LarkRunFigures[]): LarkRunFigures {
  const pick = (key: "perSecond" | "p50" | "p99" | "endToEndPerSecond") => {
    const values = runs.map((r) => r[key]).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)] ?? 0;
  };
  const sum = (key: "clicks" | "lost" | "duplicated" | "late") => runs.reduce((s, r) => s + (r[key] ?? 0), 0);
  return {
    clicks: sum("clicks"),
    perSecond: pick("perSecond"),
    p50: pick("p50"),
    p99: pick("p99"),
    endToEndPerSecond: pick("endToEndPerSecond"),
    lost: sum("lost"),
    duplicated: sum("duplicated"),
    ...(runs.some((r) => r.late !== undefined) ? { late: sum("late") } : {}),
  };
}

export async function benchLarkCallbacks(options: LarkCallbacksOptions): Promise<LarkCallbacksReport> {
  const trace = (...args: unknown[]) => {
    if (options.trace) console.log(...args);
  };
  const { startFakeLarkApi } = await import("../test/fakes/lark-api.ts");
  return withScratchDatabase(options.serverUrl, "lark", async (_database, databaseUrl) => {
    if (!databaseUrl) throw new Error("the Lark callback benchmark needs PostgreSQL");
    const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
    await sql`create table bench_lark_clicks (
      id bigserial primary key, click_key text not null unique, user_id text not null,
      action_id text not null, value text, received_at timestamptz not null default now())`;
    const fakeLark = await startFakeLarkApi();
    const children: Child[] = [];
    try {
      const slackClicksFile = fileURLToPath(new URL("./slack-clicks.ts", import.meta.url));
      const slackApi = await startChild(slackClicksFile, "slack-api", {});
      children.push(slackApi);
      const slackApiOrigin = `http://127.0.0.1:${slackApi.port}`;
      const env = { BENCH_CHILD_DATABASE_URL: databaseUrl, BENCH_CHILD_POOL: String(options.pool) };
      const self = fileURLToPath(import.meta.url);
      const baton = await startChild(self, "baton", {
        ...env,
        BENCH_CHILD_SLACK_API: `${slackApiOrigin}/api/`,
        BENCH_CHILD_LARK_DOMAIN: fakeLark.domain,
      });
      children.push(baton);
      const hono = await startChild(self, "hono", env);
      children.push(hono);
      const port: Record<Target, number> = { lark: baton.port, slack: baton.port, hono: hono.port };
      trace("servers", {
        baton: baton.port,
        hono: hono.port,
        slackApi: slackApi.port,
        lark: fakeLark.domain,
      });

      // The leavers: Slack identities and a case each (slack-clicks), plus a Lark open_id.
      const leavers = await seedBaton(`http://127.0.0.1:${baton.port}`, options.leavers);
      const larkLeavers: LarkLeaver[] = [];
      for (const [i, leaver] of leavers.entries()) {
        const openId = `ou_bench${String(i + 1).padStart(24, "0")}`;
        await sql`insert into employee_identities (employee_id, platform, platform_user_id)
          select id, 'lark', ${openId} from employees where external_id = ${leaver.externalId}`;
        larkLeavers.push({ openId, caseId: leaver.caseId, checklist: await checklistButton(leaver.caseId) });
      }
      trace("seeded", leavers.length);

      // One click looked at closely: the answer is the toast and the leaver's checklist card, inline.
      const [probe] = makeLarkClicks(larkLeavers, 1, 1);
      const probed = await fetch(`http://127.0.0.1:${baton.port}${webhookPath.lark}`, {
        method: "POST",
        headers: (probe as Request).headers,
        body: (probe as Request).body,
      });
      const answer = (await probed.json()) as { toast?: Json; card?: { type?: string; data?: LarkCard } };
      if (probed.status !== 200 || !answer.toast || answer.card?.type !== "raw")
        throw new Error(`the Lark click was not answered inline: ${probed.status} ${JSON.stringify(answer)}`);
      trace("probe", answer.toast, JSON.stringify(answer.card.data?.header));

      const responseUrl = `${slackApiOrigin}/hooks/bench`;
      const patchesBefore = () => fakeLark.callsTo("patch").length + fakeLark.callsTo("create").length;
      const run = async (target: Target, count: number, tag: number): Promise<LarkRunFigures> => {
        if (target === "slack") {
          const clicks = makeClicks(leavers, count, tag, responseUrl);
          return measure(port.slack, "slack", clicks, options.connections, async () => {
            const [row] = await sql<{ done: number; rows: number; keys: number }[]>`
              select count(*) filter (where status = 'done')::int as done, count(*)::int as rows,
                     count(distinct idempotency_key)::int as keys
              from inbox where source = 'chat:slack' and idempotency_key like ${`action:${tag}.%`}`;
            const stats = (await slackApi.call("stats", { prefix: `${tag}.` })) as {
              answered: number;
              twice: number;
            };
            const done = row?.done ?? 0;
            return {
              seen: {
                effects: done,
                duplicated: (row?.rows ?? 0) - (row?.keys ?? 0) + stats.twice,
                unanswered: Math.max(0, count - stats.answered),
              },
              complete: done >= count && stats.answered >= count,
            };
          });
        }
        const clicks = makeLarkClicks(larkLeavers, count, tag);
        if (target === "hono") {
          return measure(port.hono, "hono", clicks, options.connections, async () => {
            const [row] = await sql<{ n: number; keys: number }[]>`
              select count(*)::int as n, count(distinct click_key)::int as keys
              from bench_lark_clicks where click_key like ${`ev${tag}x%`}`;
            const n = row?.n ?? 0;
            return {
              seen: { effects: row?.keys ?? 0, duplicated: n - (row?.keys ?? 0) },
              complete: n >= count,
            };
          });
        }
        const before = patchesBefore();
        return measure(port.lark, "lark", clicks, options.connections, async () => {
          const [row] = await sql<{ done: number; rows: number; keys: number }[]>`
            select count(*) filter (where status = 'done')::int as done, count(*)::int as rows,
                   count(distinct idempotency_key)::int as keys
            from inbox where source = 'chat:lark' and idempotency_key like ${`event:ev${tag}x%`}`;
          const done = row?.done ?? 0;
          return {
            seen: {
              effects: done,
              duplicated: (row?.rows ?? 0) - (row?.keys ?? 0),
              late: patchesBefore() - before,
            },
            complete: done >= count,
          };
        });
      };

      let tag = 1000;
      // Warm-up (not counted): JIT, pools, caches.
      for (const target of options.targets) {
        await run(target, Math.min(1000, options.clicks), ++tag);
        trace("warmed up", target);
      }
      const results = new Map<Target, LarkRunFigures[]>();
      for (let r = 0; r < options.runs; r++) {
        // Side by side: the targets take turns, run after run.
        for (const target of options.targets) {
          const figures = await run(target, options.clicks, ++tag);
          trace(target, `run ${r + 1}`, figures);
          results.set(target, [...(results.get(target) ?? []), figures]);
          await sql`vacuum analyze`;
        }
      }
      await sql.end({ timeout: 5 });
      const { serverUrl: _url, ...shown } = options;
      return {
        options: shown,
        database: `PostgreSQL (${new URL(options.serverUrl).host})`,
        targets: options.targets.map((target) => {
          const runs = results.get(target) ?? [];
          return { target, runs, median: median(runs) };
        }),
      };
    } finally {
      for (const c of children.reverse()) await stopChild(c);
      await fakeLark.close();
    }
  });
}

const names: Record<Target, string> = {
  lark: "Baton POST /webhooks/lark (card.action.trigger)",
  slack: "Baton POST /webhooks/slack (block_actions)",
  hono: "raw Hono: Lark verify + 1 INSERT",
};

export function printLarkCallbacks(report: LarkCallbacksReport): void {
  const { options } = report;
  console.log(
    `Lark card.action.trigger callbacks, ${options.connections} connections, ${options.clicks} a run, median of ${options.runs} (${report.database})`,
  );
  console.table(
    report.targets.map(({ target, median: m }) => ({
      server: names[target],
      "callbacks/s": m.perSecond,
      "p50 ms": m.p50,
      "p99 ms": m.p99,
      "end-to-end/s": m.endToEndPerSecond,
      lost: m.lost,
      "applied twice": m.duplicated,
    })),
  );
}

export function larkCallbacksOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): LarkCallbacksOptions {
  const targets = (env.BENCH_LARK_TARGETS ?? "lark,slack,hono")
    .split(",")
    .map((t) => t.trim())
    .filter((t): t is Target => t in names);
  return {
    clicks: Number(env.BENCH_LARK_CLICKS || 5000),
    runs: Number(env.BENCH_LARK_RUNS ?? 3),
    connections: Number(env.BENCH_LARK_CONNECTIONS ?? 50),
    targets,
    leavers: Number(env.BENCH_LARK_LEAVERS ?? 100),
    pool: Number(env.BENCH_LARK_POOL ?? 10),
    serverUrl: env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    trace: env.BENCH_TRACE === "1",
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const role = process.argv[2] === "--serve" ? process.argv[3] : undefined;
  if (role) await child(role);
  else printLarkCallbacks(await benchLarkCallbacks(larkCallbacksOptionsFromEnv()));
}
