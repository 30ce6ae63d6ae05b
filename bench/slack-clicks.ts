/**
 * Benchmark (issue 7): signed Slack `block_actions` clicks at 50 keep-alive connections, side by
 * side on one machine and one PostgreSQL database, each server in its own process on a loopback
 * port:
 *
 * - **Baton**: the whole app (`openRuntime` + `createApp` behind `@hono/node-server`, workers
 *   started) on a scratch database; `POST /webhooks/slack`. The click is the "My checklist" button
 *   (`case.status`) of the notice receipt card a leaver got when their notice was recorded: the
 *   bot identifies the person by their Slack id, reads the case and its steps, checks they may read
 *   it and answers with their checklist card, which replaces the clicked message (`chat.update`
 *   to a fake Slack Web API in its own process). The click's effect is its inbox row, stored before
 *   the ack and marked done once the bot has handled it; its answer is the `chat.update`.
 * - **bare Bolt**: a Bolt `App` on Bolt's own `HTTPReceiver` whose action listener does one INSERT
 *   (the click's trigger_id, user, action and value), then acks — so the ack, as Baton's, means the
 *   record is durable.
 * - **raw Hono**: a Hono route with the same v0 signature check (±5 minutes, constant time) and the
 *   same INSERT, then an empty 200.
 * - **pgbench**: the same single-row INSERT, `pgbench -n -c 50 -j 2 -T 10 -f insert.sql`: what one
 *   INSERT per request allows on this machine.
 *
 * Each click is a distinct, freshly signed payload (its own trigger_id, action_ts and message ts)
 * carrying the real card's blocks, as Slack sends them. Per run: clicks/s acked (all N answered
 * 200), p50/p99 time to ack, and end-to-end clicks/s (until every click's effect is in the database
 * — and, for Baton, its answer has reached the fake Slack); then checks that nothing was lost or
 * applied twice (effects = clicks, each once; Baton: one `chat.update` per clicked message). Median
 * of the runs.
 *
 *   npm run bench:slack                                  # 3 runs × 20,000 clicks each
 *   BENCH_SLACK_CLICKS=5000 BENCH_SLACK_RUNS=1 npm run bench:slack    # a short look
 *   BENCH_SLACK_CLICKS=20000 npm run bench               # from bench/run.ts, after the others
 *
 * Knobs: BENCH_SLACK_CLICKS (20000 a run), BENCH_SLACK_RUNS (3), BENCH_SLACK_CONNECTIONS (50),
 * BENCH_SLACK_TARGETS (`baton,bolt,hono,pgbench`), BENCH_SLACK_POOL (10: the database pool of the
 * bare Bolt and raw Hono servers, as Baton's), BENCH_SLACK_LEAVERS (100 leavers click, round-robin),
 * BENCH_PGBENCH_SECONDS (10), BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; a
 * scratch database is created there and dropped afterwards), BENCH_TRACE=1 (progress and each run's
 * figures). Diagnostics: BENCH_SLACK_PROFILE=<dir> (a V8 CPU profile of each server process),
 * BENCH_SLACK_LOG_SQL=1 (PostgreSQL logs every statement of the scratch database).
 *
 * Baton runs with BATON_LOG_LEVEL=warn (at `info` it writes a log line per request; the bare
 * servers log nothing). "server CPU µs/click" is the server process's own CPU time (user + system)
 * from the first click until every effect was in, divided by the clicks: the load generator,
 * PostgreSQL and the fake Slack share the same two cores and are not in it. "machine CPU µs/click"
 * is the busy time of every core (/proc/stat, so run it on a quiet machine) over the same span,
 * divided by the clicks: everything a click costs — load generator, server, PostgreSQL, the fake
 * Slack. The last line sets it beside what the 2× target leaves a click (cores ÷ 2 × bare Bolt's
 * end-to-end rate), which decides whether the target fits this machine at all.
 */
import { execFile } from "node:child_process";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { slackSignature } from "../adapters/slack/verify.ts";
import { middle, percentile, reportOf, round, waitFor } from "./figures.ts";
import {
  type Child,
  closeOnDisconnect,
  type Json,
  listen,
  loadOptionsFromEnv,
  openBaton,
  runScript,
  serveIpc,
  startChild as startChildProcess,
  targetsOf,
} from "./processes.ts";
import { withScratchDatabase } from "./scratch.ts";

// The Slack app the clicks are signed for and Baton is seeded with (lark-callbacks.ts runs the same Baton).
export const signingSecret = "bench-signing-secret-0123456789abcdef";
export const botToken = "xoxb-bench-token";
export const teamId = "T0BENCH";
export const adminToken = `adm-${"b".repeat(40)}`;
const webhookPath = { baton: "/webhooks/slack", bolt: "/slack/events", hono: "/slack/events" } as const;

type ServerTarget = keyof typeof webhookPath;
type Target = ServerTarget | "pgbench";

export type SlackClicksOptions = {
  clicks: number;
  runs: number;
  connections: number;
  targets: readonly Target[];
  pool: number;
  /** Leavers (each with a Slack identity, a case and a receipt card) whose clicks go round-robin. */
  leavers: number;
  pgbenchSeconds: number;
  serverUrl: string;
  trace?: boolean;
};

export type RunFigures = {
  clicks: number;
  ackedPerSecond: number;
  p50: number;
  p99: number;
  endToEndPerSecond: number;
  /** Clicks answered with anything but 200. */
  failed: number;
  /** CPU time of the server process (µs a click), from the first click until every effect was in. */
  serverCpuUs?: number;
  /** CPU time of the whole machine (µs a click, every core and process: load, server, PostgreSQL, fake Slack), same span; Linux only. */
  machineCpuUs?: number;
  /** Effects in the database (each click once). */
  effects: number;
  duplicates: number;
  /** Baton: CPU time of the fake Slack Web API process (µs a click), same span: what one answer costs its receiver. */
  slackApiCpuUs?: number;
  /** Baton: `chat.update` calls that reached the fake Slack, and clicked messages updated twice. */
  answers?: number;
  answersTwice?: number;
};

export type TargetReport = { target: Target; runs: RunFigures[]; median: RunFigures };

export type SlackClicksReport = {
  options: Omit<SlackClicksOptions, "serverUrl">;
  database: string;
  targets: TargetReport[];
};

// ---------------------------------------------------------------------------------------------
// Child processes: the servers and the fake Slack Web API

const insertClick = (sql: postgres.Sql, payload: Json) => {
  const action = ((payload.actions as Json[] | undefined) ?? [])[0] ?? {};
  return sql`insert into bench_clicks (click_key, user_id, action_id, value)
    values (${String(payload.trigger_id)}, ${String((payload.user as Json | undefined)?.id)},
            ${String(action.action_id)}, ${typeof action.value === "string" ? action.value : null})`;
};

async function serveBolt(databaseUrl: string, pool: number): Promise<number> {
  const { App, HTTPReceiver, LogLevel } = await import("@slack/bolt");
  // Idle connections close between runs: pgbench needs 50 of the server's connections.
  const sql = postgres(databaseUrl, { max: pool, idle_timeout: 2, onnotice: () => {} });
  const receiver = new HTTPReceiver({ signingSecret, endpoints: webhookPath.bolt });
  const app = new App({
    receiver,
    token: botToken,
    botId: "B0BENCH",
    botUserId: "U0BENCHBOT",
    logLevel: LogLevel.ERROR,
  });
  app.action(/.*/, async ({ ack, body }) => {
    await insertClick(sql, body as unknown as Json);
    await ack();
  });
  const server = (await app.start({ port: 0, host: "127.0.0.1" })) as http.Server;
  server.keepAliveTimeout = 60_000;
  return (server.address() as AddressInfo).port;
}

async function serveHono(databaseUrl: string, pool: number): Promise<number> {
  const { Hono } = await import("hono");
  // Idle connections close between runs: pgbench needs 50 of the server's connections.
  const sql = postgres(databaseUrl, { max: pool, idle_timeout: 2, onnotice: () => {} });
  const app = new Hono();
  app.post(webhookPath.hono, async (c) => {
    const body = await c.req.text();
    const timestamp = c.req.header("x-slack-request-timestamp") ?? "";
    const signature = Buffer.from(c.req.header("x-slack-signature") ?? "");
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300)
      return c.body(null, 401);
    const expected = Buffer.from(
      `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`,
    );
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected))
      return c.body(null, 401);
    let payload: Json;
    try {
      payload = JSON.parse(new URLSearchParams(body).get("payload") ?? "") as Json;
    } catch {
      return c.body(null, 400);
    }
    await insertClick(sql, payload);
    return c.body(null, 200);
  });
  return listen(app.fetch);
}

async function serveBaton(databaseUrl: string, slackApiUrl: string): Promise<number> {
  const { runtime, app } = await openBaton(databaseUrl, "baton-bench-", adminToken, {
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_BOT_TOKEN: botToken,
    SLACK_API_URL: slackApiUrl,
    SLACK_TEAM_IDS: teamId,
  });
  const { inboxWriterOf } = await import("../db/inbox-writer.ts");
  serveIpc({ writer: () => ({ ...inboxWriterOf(runtime.services.database).stats }) });
  closeOnDisconnect(() => runtime.close());
  return listen(app.fetch);
}

/** Slack's Web API as far as the answers go: `{ok:true}` at once; counts `chat.update` per message ts. */
async function serveSlackApi(): Promise<number> {
  const updates = new Map<string, number>();
  /** The text of the first answer (what the bot said, for a look with BENCH_TRACE). */
  let sample: string | undefined;
  const others = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = req.url ?? "/";
      const method = url.startsWith("/api/") ? url.slice(5).split("?")[0] : url;
      const params = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      let answer: Json = { ok: true };
      if (method === "chat.update") {
        const ts = params.get("ts") ?? "";
        sample ??= params.get("text") ?? "";
        updates.set(ts, (updates.get(ts) ?? 0) + 1);
        answer = { ok: true, channel: params.get("channel"), ts };
      } else {
        others.set(String(method), (others.get(String(method)) ?? 0) + 1);
        if (method === "conversations.open") answer = { ok: true, channel: { id: "D0BENCH" } };
        if (method === "chat.postMessage")
          answer = { ok: true, channel: params.get("channel"), ts: "1.000001" };
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  server.keepAliveTimeout = 60_000;
  serveIpc({
    stats(message) {
      const prefix = String(message.prefix ?? "");
      let answered = 0;
      let twice = 0;
      for (const [ts, n] of updates) {
        if (!ts.startsWith(prefix)) continue;
        answered += 1;
        if (n > 1) twice += 1;
      }
      return { answered, twice, others: Object.fromEntries(others), sample };
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

async function child(role: string): Promise<void> {
  const databaseUrl = process.env.BENCH_CHILD_DATABASE_URL ?? "";
  const pool = Number(process.env.BENCH_CHILD_POOL ?? 10);
  let port: number;
  if (role === "bolt") port = await serveBolt(databaseUrl, pool);
  else if (role === "hono") port = await serveHono(databaseUrl, pool);
  else if (role === "baton") port = await serveBaton(databaseUrl, process.env.BENCH_CHILD_SLACK_API ?? "");
  else if (role === "slack-api") port = await serveSlackApi();
  else throw new Error(`unknown role ${role}`);
  if (role === "bolt" || role === "hono") serveIpc({});
  process.send?.({ ready: true, port });
}

/** Forks this script as `--serve role` (BENCH_SLACK_PROFILE: a CPU profile of each child there). */
function startChild(role: string, env: Record<string, string>): Promise<Child> {
  const profile = process.env.BENCH_SLACK_PROFILE;
  return startChildProcess(
    fileURLToPath(import.meta.url),
    role,
    env,
    profile ? `${profile}/${role}` : undefined,
  );
}

// ---------------------------------------------------------------------------------------------
// The clicks

type Leaver = {
  userId: string;
  externalId: string;
  caseId: string;
  message: { text: string; blocks: Json[] };
};

/** Baton's side: an entity, HR, a manager and leavers with Slack identities and a case each. */
export async function seedBaton(origin: string, leavers: number): Promise<Leaver[]> {
  const call = async (
    method: string,
    target: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${origin}${target}`, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}`, ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${target}: ${res.status} ${text}`);
    return JSON.parse(text) as Json;
  };
  await call("PUT", "/api/v1/entities/acme-sh", { name: "Acme (Shanghai) Ltd.", city: "Shanghai" });
  await call("PUT", "/api/v1/employees/HR1", { entity: "acme-sh", name: "HR One", functions: ["hr"] });
  await call("PUT", "/api/v1/employees/M1", {
    entity: "acme-sh",
    name: "Manager One",
    managerExternalId: "HR1",
  });
  const { renderMessage } = await import("../adapters/slack/render.ts");
  const { noticeReceipt } = await import("../cards/templates/offboarding.ts");
  const { translate } = await import("../core/messages/index.ts");
  const out: Leaver[] = [];
  for (let i = 1; i <= leavers; i++) {
    const externalId = `E${String(i).padStart(3, "0")}`;
    const userId = `U0LEAVER${i}`;
    await call("PUT", `/api/v1/employees/${externalId}`, {
      entity: "acme-sh",
      name: `Leaver ${i}`,
      managerExternalId: "M1",
      role: "engineering",
      hireDate: "2023-01-01",
      locale: "en",
      identities: { slack: userId },
    });
    const opened = await call(
      "POST",
      "/api/v1/resignations",
      { employeeExternalId: externalId, noticeDate: new Date().toISOString().slice(0, 10) },
      { "idempotency-key": `bench-${externalId}` },
    );
    const caseId = String(opened.id);
    // The card the leaver got when the notice was recorded, as Slack shows it.
    const card = noticeReceipt(
      {
        caseId,
        employeeName: `Leaver ${i}`,
        noticeDate: String(opened.noticeDate ?? ""),
        receivedAt: new Date().toISOString(),
        legalLastDay: String(opened.legalLastDay ?? ""),
        plannedLastDay: String(opened.plannedLastDay ?? ""),
      },
      { locale: "en", t: translate },
    );
    out.push({ userId, externalId, caseId, message: renderMessage(card) as unknown as Leaver["message"] });
  }
  return out;
}

/** A `block_actions` payload of the "My checklist" button, as Slack sends it (the message's blocks included). */
function clickPayload(
  leaver: Leaver,
  ids: { trigger: string; ts: string; actionTs: string },
  responseUrl: string,
): Json {
  const button = leaver.message.blocks
    .flatMap((b) => (b.type === "actions" ? (b.elements as Json[]) : []))
    .find((e) => String(e.action_id).endsWith(":case.status"));
  if (!button) throw new Error("the receipt card has no checklist button");
  const channel = `D${leaver.userId.slice(1)}`;
  return {
    type: "block_actions",
    user: { id: leaver.userId, username: leaver.externalId, name: leaver.externalId, team_id: teamId },
    api_app_id: "A0BATON",
    token: "legacy-verification-token",
    container: { type: "message", message_ts: ids.ts, channel_id: channel, is_ephemeral: false },
    trigger_id: ids.trigger,
    team: { id: teamId, domain: "acme" },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: "directmessage" },
    message: { type: "message", ts: ids.ts, text: leaver.message.text, blocks: leaver.message.blocks },
    state: { values: {} },
    response_url: responseUrl,
    actions: [
      {
        action_id: button.action_id,
        block_id: "b1",
        type: "button",
        text: button.text,
        value: button.value,
        action_ts: ids.actionTs,
      },
    ],
  };
}

/** Signed request bodies for one run: distinct ids, signed now. */
export function makeClicks(
  leavers: Leaver[],
  count: number,
  tag: number,
  responseUrl: string,
): { body: string; headers: Record<string, string> }[] {
  const timestamp = Math.floor(Date.now() / 1000);
  const out: { body: string; headers: Record<string, string> }[] = [];
  for (let i = 0; i < count; i++) {
    const leaver = leavers[i % leavers.length] as Leaver;
    const seq = String(i).padStart(6, "0");
    const payload = clickPayload(
      leaver,
      {
        trigger: `${tag}.${seq}.${randomBytes(6).toString("hex")}`,
        ts: `${tag}.${seq}`,
        actionTs: `${timestamp}.${seq}`,
      },
      responseUrl,
    );
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    out.push({
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "content-length": String(Buffer.byteLength(body)),
        "x-slack-request-timestamp": String(timestamp),
        "x-slack-signature": slackSignature(signingSecret, timestamp, body),
      },
    });
  }
  return out;
}

type LoadResult = { latencies: Float64Array; failed: number; startedAt: number; ackedAt: number };

/** N requests over `connections` keep-alive connections, each connection one request at a time. */
export async function load(
  port: number,
  target: string,
  clicks: { body: string; headers: Record<string, string> }[],
  connections: number,
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const latencies = new Float64Array(clicks.length);
  let next = 0;
  let failed = 0;
  const send = (i: number) =>
    new Promise<void>((resolve) => {
      const click = clicks[i] as (typeof clicks)[number];
      const started = performance.now();
      const req = http.request(
        { agent, host: "127.0.0.1", port, path: target, method: "POST", headers: click.headers },
        (res) => {
          res.resume();
          res.on("end", () => {
            latencies[i] = performance.now() - started;
            if (res.statusCode !== 200) failed += 1;
            resolve();
          });
        },
      );
      req.on("error", () => {
        latencies[i] = performance.now() - started;
        failed += 1;
        resolve();
      });
      req.end(click.body);
    });
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (let i = next++; i < clicks.length; i = next++) await send(i);
    }),
  );
  const ackedAt = performance.now();
  agent.destroy();
  return { latencies, failed, startedAt, ackedAt };
}

/** Busy CPU time of the whole machine so far (µs, every core), from /proc/stat; undefined off Linux. */
function machineBusyUs(): number | undefined {
  try {
    const [cpu] = readFileSync("/proc/stat", "utf8").split("\n");
    const fields = (cpu ?? "").trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
    const busy = fields.slice(0, 8).reduce((sum, v, i) => (i === 3 || i === 4 ? sum : sum + v), 0);
    return (busy * 1_000_000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

async function runServer(
  target: ServerTarget,
  server: Child,
  sql: postgres.Sql,
  slackApi: Child | undefined,
  clicks: ReturnType<typeof makeClicks>,
  tag: number,
  connections: number,
): Promise<RunFigures> {
  const n = clicks.length;
  const cpuBefore = Number(await server.call("cpu"));
  const slackCpuBefore = slackApi && target === "baton" ? Number(await slackApi.call("cpu")) : undefined;
  const machineBefore = machineBusyUs();
  const result = await load(server.port, webhookPath[target], clicks, connections);
  let effects = 0;
  let duplicates = 0;
  let answers: number | undefined;
  let answersTwice: number | undefined;
  let effectsAt: number;
  let machineAfter: number | undefined;
  if (target === "baton") {
    // The click's effect: its inbox row done (marked once the bot has handled it); its answer: the
    // chat.update of the clicked message. The run ends when both are there for every click.
    const like = `action:${tag}.%`;
    const read = async () => {
      const [row] = await sql<{ done: number; rows: number }[]>`
        select count(*) filter (where status = 'done')::int as done, count(*)::int as rows
        from inbox where source = 'chat:slack' and idempotency_key like ${like}`;
      const stats = (await slackApi?.call("stats", { prefix: `${tag}.` })) as {
        answered: number;
        twice: number;
      };
      return { done: row?.done ?? 0, rows: row?.rows ?? 0, ...stats };
    };
    const seen = await waitFor(read, (v) => v.done >= n && v.answered >= n, 120_000);
    effectsAt = performance.now();
    machineAfter = machineBusyUs();
    effects = seen.done;
    duplicates = seen.rows - Math.min(seen.rows, n);
    // Anything still arriving late would be a second answer.
    await new Promise((r) => setTimeout(r, 200));
    const after = await read();
    answers = after.answered;
    answersTwice = after.twice;
  } else {
    const like = `${tag}.%`;
    const read = async () => {
      const [row] = await sql<{ n: number; keys: number }[]>`
        select count(*)::int as n, count(distinct click_key)::int as keys from bench_clicks where click_key like ${like}`;
      return { n: row?.n ?? 0, keys: row?.keys ?? 0 };
    };
    const seen = await waitFor(read, (v) => v.n >= n, 60_000);
    effectsAt = performance.now();
    machineAfter = machineBusyUs();
    effects = seen.keys;
    duplicates = seen.n - seen.keys;
  }
  const serverCpuUs = Math.round((Number(await server.call("cpu")) - cpuBefore) / n);
  const slackApiCpuUs =
    slackApi && slackCpuBefore !== undefined
      ? Math.round((Number(await slackApi.call("cpu")) - slackCpuBefore) / n)
      : undefined;
  const sorted = result.latencies.slice().sort();
  const seconds = (result.ackedAt - result.startedAt) / 1000;
  const endToEnd = (Math.max(effectsAt, result.ackedAt) - result.startedAt) / 1000;
  return {
    clicks: n,
    ackedPerSecond: Math.round(n / seconds),
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    endToEndPerSecond: Math.round(n / endToEnd),
    failed: result.failed,
    serverCpuUs,
    ...(slackApiCpuUs !== undefined ? { slackApiCpuUs } : {}),
    ...(machineBefore !== undefined && machineAfter !== undefined
      ? { machineCpuUs: Math.round((machineAfter - machineBefore) / n) }
      : {}),
    effects,
    duplicates,
    ...(answers !== undefined ? { answers, answersTwice: answersTwice ?? 0 } : {}),
  };
}

function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { ...options, maxBuffer: 16 * 2 ** 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Tries again a few times when PostgreSQL has no connection slot left (other clients come and go). */
async function retry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= 6 || !/too many clients/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
}

/** pgbench's single-INSERT rate (the ceiling of one INSERT per request), latencies from its log. */
async function runPgbench(
  databaseUrl: string,
  connections: number,
  seconds: number,
  sql: postgres.Sql,
): Promise<RunFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), "baton-pgbench-"));
  try {
    const script = path.join(dir, "insert.sql");
    writeFileSync(
      script,
      "insert into bench_clicks (click_key, user_id, action_id, value) " +
        "values ('pgbench.' || gen_random_uuid()::text, 'U0LEAVER1', 'bt:0:case.status', 'case');\n",
    );
    const before = Number(
      (await sql<{ n: number }[]>`select count(*)::int as n from bench_clicks`)[0]?.n ?? 0,
    );
    const machineBefore = machineBusyUs();
    const out = await retry(() =>
      run(
        "pgbench",
        [
          "-n",
          "-c",
          String(connections),
          "-j",
          "2",
          "-T",
          String(seconds),
          "-f",
          script,
          "-l",
          "--log-prefix",
          path.join(dir, "log"),
          databaseUrl,
        ],
        { cwd: dir },
      ),
    );
    const machineAfter = machineBusyUs();
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1] ?? 0);
    const failedMatch = /number of failed transactions: (\d+)/.exec(out);
    const latencies: number[] = [];
    for (const file of readdirSync(dir).filter((f) => f.startsWith("log"))) {
      for (const line of readFileSync(path.join(dir, file), "utf8").split("\n")) {
        const fields = line.split(" ");
        if (fields.length >= 3) latencies.push(Number(fields[2]) / 1000);
      }
    }
    latencies.sort((a, b) => a - b);
    const after = Number(
      (await sql<{ n: number }[]>`select count(*)::int as n from bench_clicks`)[0]?.n ?? 0,
    );
    return {
      clicks: after - before,
      ackedPerSecond: Math.round(tps),
      p50: round(percentile(latencies, 0.5)),
      p99: round(percentile(latencies, 0.99)),
      endToEndPerSecond: Math.round(tps),
      ...(machineBefore !== undefined && machineAfter !== undefined && after > before
        ? { machineCpuUs: Math.round((machineAfter - machineBefore) / (after - before)) }
        : {}),
      failed: Number(failedMatch?.[1] ?? 0),
      effects: after - before,
      duplicates: 0,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(runs: RunFigures[]): RunFigures {
  const pick = (key: keyof RunFigures) => middle(runs.map((r) => Number(r[key] ?? 0)));
  const base = runs[0] as RunFigures;
  return {
    ...base,
    ackedPerSecond: pick("ackedPerSecond"),
    p50: pick("p50"),
    p99: pick("p99"),
    endToEndPerSecond: pick("endToEndPerSecond"),
    ...(base.serverCpuUs !== undefined ? { serverCpuUs: pick("serverCpuUs") } : {}),
    ...(base.machineCpuUs !== undefined ? { machineCpuUs: pick("machineCpuUs") } : {}),
    ...(base.slackApiCpuUs !== undefined ? { slackApiCpuUs: pick("slackApiCpuUs") } : {}),
    failed: runs.reduce((s, r) => s + r.failed, 0),
    effects: runs.reduce((s, r) => s + r.effects, 0),
    duplicates: runs.reduce((s, r) => s + r.duplicates, 0),
    clicks: runs.reduce((s, r) => s + r.clicks, 0),
    ...(base.answers !== undefined
      ? {
          answers: runs.reduce((s, r) => s + (r.answers ?? 0), 0),
          answersTwice: runs.reduce((s, r) => s + (r.answersTwice ?? 0), 0),
        }
      : {}),
  };
}

export async function benchSlackClicks(options: SlackClicksOptions): Promise<SlackClicksReport> {
  const trace = (...args: unknown[]) => {
    if (options.trace) console.log(...args);
  };
  return withScratchDatabase(options.serverUrl, "slack", async (_database, databaseUrl) => {
    if (!databaseUrl) throw new Error("the Slack click benchmark needs PostgreSQL");
    const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
    await sql`create table bench_clicks (
      id bigserial primary key, click_key text not null unique, user_id text not null,
      action_id text not null, value text, received_at timestamptz not null default now())`;
    if (process.env.BENCH_SLACK_LOG_SQL) {
      await sql.unsafe(
        `alter database "${new URL(databaseUrl).pathname.slice(1)}" set log_statement = 'all'`,
      );
    }
    const servers = options.targets.filter((t): t is ServerTarget => t !== "pgbench");
    const children: Child[] = [];
    try {
      const env = { BENCH_CHILD_DATABASE_URL: databaseUrl, BENCH_CHILD_POOL: String(options.pool) };
      const slackApi = servers.includes("baton") ? await startChild("slack-api", {}) : undefined;
      if (slackApi) children.push(slackApi);
      const slackApiOrigin = slackApi ? `http://127.0.0.1:${slackApi.port}` : "http://127.0.0.1:9";
      const started = new Map<ServerTarget, Child>();
      for (const target of servers) {
        const child = await startChild(target, { ...env, BENCH_CHILD_SLACK_API: `${slackApiOrigin}/api/` });
        children.push(child);
        started.set(target, child);
      }
      trace("servers", Object.fromEntries([...started].map(([t, c]) => [t, c.port])));
      const baton = started.get("baton");
      const leavers = baton
        ? await seedBaton(`http://127.0.0.1:${baton.port}`, options.leavers)
        : await seedBatonless();
      const responseUrl = `${slackApiOrigin}/hooks/bench`;

      let tag = 1000;
      /** One run of `count` fresh clicks (a new tag) against `target`. */
      const runClicks = (target: ServerTarget, count: number) => {
        tag += 1;
        const clicks = makeClicks(leavers, count, tag, responseUrl);
        return runServer(
          target,
          started.get(target) as Child,
          sql,
          slackApi,
          clicks,
          tag,
          options.connections,
        );
      };
      // Warm-up (not counted): JIT, pools, caches.
      for (const target of servers) {
        await runClicks(target, Math.min(2000, options.clicks));
        trace("warmed up", target);
      }
      const results = new Map<Target, RunFigures[]>();
      for (let r = 0; r < options.runs; r++) {
        // Side by side: the targets take turns, run after run.
        for (const target of servers) {
          const figures = await runClicks(target, options.clicks);
          trace(target, `run ${r + 1}`, figures);
          if (target === "baton") {
            trace("inbox writer", await started.get(target)?.call("writer"));
            trace("fake Slack", await slackApi?.call("stats", { prefix: "-" }));
          }
          results.set(target, [...(results.get(target) ?? []), figures]);
          await sql`vacuum analyze`;
        }
        if (options.targets.includes("pgbench")) {
          await new Promise((resolve) => setTimeout(resolve, 3000)); // the servers' idle connections close
          const figures = await runPgbench(databaseUrl, options.connections, options.pgbenchSeconds, sql);
          trace("pgbench", `run ${r + 1}`, figures);
          results.set("pgbench", [...(results.get("pgbench") ?? []), figures]);
        }
      }
      await sql.end({ timeout: 5 });
      return reportOf(options, results, median);
    } finally {
      for (const c of children.reverse()) await c.stop();
    }
  });
}

/** Without Baton, the other servers still need a card to click. */
export async function seedBatonless(): Promise<Leaver[]> {
  const { renderMessage } = await import("../adapters/slack/render.ts");
  const { noticeReceipt } = await import("../cards/templates/offboarding.ts");
  const { translate } = await import("../core/messages/index.ts");
  const card = noticeReceipt(
    {
      caseId: "case-1",
      employeeName: "Leaver 1",
      noticeDate: "2026-03-02",
      receivedAt: "now",
      legalLastDay: "2026-04-01",
      plannedLastDay: "2026-04-01",
    },
    { locale: "en", t: translate },
  );
  return [
    {
      userId: "U0LEAVER1",
      externalId: "E001",
      caseId: "case-1",
      message: renderMessage(card) as unknown as Leaver["message"],
    },
  ];
}

const names: Record<Target, string> = {
  baton: "Baton POST /webhooks/slack",
  bolt: "bare Bolt HTTPReceiver + 1 INSERT",
  hono: "raw Hono verify + 1 INSERT",
  pgbench: "pgbench 1-row INSERT (ceiling)",
};

export function printSlackClicks(report: SlackClicksReport): void {
  const { options } = report;
  console.log(
    `Slack block_actions clicks, ${options.connections} connections, ${options.clicks} clicks a run, median of ${options.runs} (${report.database}; pgbench -T ${options.pgbenchSeconds})`,
  );
  console.table(
    report.targets.map(({ target, median: m }) => ({
      server: names[target],
      "acked/s": m.ackedPerSecond,
      "p50 ms": m.p50,
      "p99 ms": m.p99,
      "end-to-end/s": m.endToEndPerSecond,
      "server CPU µs/click": m.serverCpuUs ?? "",
      "machine CPU µs/click": m.machineCpuUs ?? "",
      "lost or failed":
        m.failed + Math.max(0, m.clicks - m.effects) + (m.answers === undefined ? 0 : m.clicks - m.answers),
      "applied twice": m.duplicates + (m.answersTwice ?? 0),
    })),
  );
  const baton = report.targets.find((t) => t.target === "baton")?.median;
  const bolt = report.targets.find((t) => t.target === "bolt")?.median;
  if (baton && bolt) {
    console.log(
      `Baton: p99 ${baton.p99} ms (target < 50), end-to-end ${baton.endToEndPerSecond}/s = ` +
        `${(baton.endToEndPerSecond / bolt.endToEndPerSecond).toFixed(2)}× bare Bolt's ${bolt.endToEndPerSecond}/s (target ≥ 2×)`,
    );
    // What the target leaves a click of the whole machine's CPU (every process on every core).
    const cores = availableParallelism();
    const budget = Math.round((cores * 1_000_000) / (2 * bolt.endToEndPerSecond));
    console.log(
      `The 2× target leaves ${budget} µs of machine CPU a click (${cores} cores at ${2 * bolt.endToEndPerSecond} clicks/s); ` +
        `used: Baton ${baton.machineCpuUs ?? "?"} µs (of which the fake Slack receiving its answer ${baton.slackApiCpuUs ?? "?"} µs)` +
        report.targets
          .filter((t) => t.target !== "baton" && t.median.machineCpuUs !== undefined)
          .map((t) => `, ${names[t.target]} ${t.median.machineCpuUs} µs`)
          .join(""),
    );
  }
}

export function slackClicksOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SlackClicksOptions {
  return {
    ...loadOptionsFromEnv(env, "BENCH_SLACK", 20_000),
    targets: targetsOf(env.BENCH_SLACK_TARGETS ?? "baton,bolt,hono,pgbench", names),
    pgbenchSeconds: Number(env.BENCH_PGBENCH_SECONDS ?? 10),
  };
}

await runScript(import.meta.url, child, async () =>
  printSlackClicks(await benchSlackClicks(slackClicksOptionsFromEnv())),
);
