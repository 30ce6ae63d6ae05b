import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
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
import { middle, percentile, reportOf, round, waitFor } from "./figures.ts";
import {
  type Child,
  closeOnDisconnect,
  type Json,
  listen,
  loadOptionsFromEnv,
  openBaton,
  runScript,
  startChild as startChildProcess,
  targetsOf,
} from "./processes.ts";
import { withScratchDatabase } from "./scratch.ts";
import {
  adminToken,
  load,
  makeClicks,
  seedBaton,
  botToken as slackBotToken,
  signingSecret as slackSigningSecret,
  teamId as slackTeamId,
} from "./slack-clicks.ts";

const webhookPath = { lark: "/webhooks/lark", slack: "/webhooks/slack", hono: "/webhooks/lark" } as const;
type Target = keyof typeof webhookPath;

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
  const { testLarkAppSecret } = await import("../test/fakes/lark-api.ts");
  const { runtime, app } = await openBaton(databaseUrl, "baton-bench-lark-", adminToken, {
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
  closeOnDisconnect(() => runtime.close());
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
  closeOnDisconnect(() => sql.end({ timeout: 5 }));
  return listen(app.fetch);
}

/** Forks `file --serve role` (BENCH_LARK_PROFILE: a CPU profile of the Baton process there). */
function startChild(file: string, role: string, env: Record<string, string>): Promise<Child> {
  const profile = process.env.BENCH_LARK_PROFILE;
  return startChildProcess(file, role, env, profile && role === "baton" ? profile : undefined);
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
  await waitFor(effects, (last) => last.complete, 120_000);
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
  const pick = (key: "perSecond" | "p50" | "p99" | "endToEndPerSecond") => middle(runs.map((r) => r[key]));
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
      return reportOf(options, results, median);
    } finally {
      for (const c of children.reverse()) await c.stop();
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
  return {
    ...loadOptionsFromEnv(env, "BENCH_LARK", 5000),
    targets: targetsOf(env.BENCH_LARK_TARGETS ?? "lark,slack,hono", names),
  };
}

await runScript(import.meta.url, child, async () =>
  printLarkCallbacks(await benchLarkCallbacks(larkCallbacksOptionsFromEnv())),
);
