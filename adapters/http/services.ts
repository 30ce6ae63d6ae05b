import type { Logger } from "pino";
import type { BotHandler } from "../../bots/reply.ts";
import type { NotificationSenders } from "../../core/notifications/delivery.ts";
import type { CheckGate } from "../../core/offboarding/gates.ts";
import type { Clock, TickJob } from "../../core/ports.ts";
import type { Database } from "../../db/client.ts";
import type { Dispatcher } from "../../db/dispatcher.ts";
import type { ChainWriter } from "../../db/evidence-chain.ts";
import type { InboxProcessor, InboxWorker } from "../../db/inbox.ts";
import type { Scheduler } from "../../db/scheduler.ts";
import type { Config } from "./config.ts";
import type { Keys } from "./keys.ts";
import type { LinkActionRegistry } from "./links/actions.ts";
import type { LinkTokens } from "./links/tokens.ts";
import type { Operations } from "./operations.ts";
import type { KeyringSigner } from "./signer.ts";

/** Whether the database is ready to serve requests. */
export type Readiness = {
  migrations: "pending" | "current" | "failed";
  detail?: string;
  /** The DingTalk Stream client while this process runs it; shown by /readyz, never makes it unready. */
  dingtalkStream?: { readonly connected: boolean } | undefined;
};

/** Everything a request handler may use, built once at start-up by the entry point. */
export type Services = {
  config: Config;
  database: Database;
  keys: Keys;
  logger: Logger;
  clock: Clock;
  readiness: Readiness;
  linkTokens: LinkTokens;
  linkActions: LinkActionRegistry;
  operations: Operations;
  /** Signs and verifies JWS with the current key; verifies with retired ones too. */
  signer: KeyringSigner;
  /** Sequences evidence into the audit chain; call `wake()` after a commit that recorded evidence. */
  chainWriter: ChainWriter;
  /** A per-run secret that lets the local CLI use the admin API (loopback only). */
  cliSecret?: string;
  /** Gates of the offboarding check step (agreements, training), see registry.ts. */
  gates: CheckGate[];
  /** What the scheduler runs on each tick, see registry.ts. */
  tickJobs: TickJob[];
  /** Sends the outbox; call `wake()` after a commit that enqueued notifications. */
  dispatcher: Dispatcher;
  /** Who delivers each recipient type (surfaces, connectors, the recording sink), see registry.ts. */
  senders: NotificationSenders;
  /** Processes stored inbound requests; call `wake()` after `receiveInbound` commits. */
  inbox: InboxWorker;
  /** The processor of each inbound source, see registry.ts. */
  inboxProcessors: InboxProcessor[];
  /** The HR bot: every chat surface hands its verified events to it, see adapters/http/bot. */
  bot: BotHandler;
  /** Runs `tickJobs` (node-cron every minute, `POST /api/v1/admin/tick`). */
  scheduler: Scheduler;
  /** The TCP peer of a request; runtime-specific. */
  remoteAddress(raw: unknown): string | undefined;
};

/** The services a module gets while the registry builds the module parts (gates, jobs, senders, bot). */
export type ModuleServices = Omit<Services, "gates" | "tickJobs" | "senders" | "inboxProcessors" | "bot">;

/** Who is acting on a request. */
export type Auth = {
  principal: string;
  scopes: readonly string[];
  via: "api-key" | "admin-token" | "cli" | "session";
  keyId?: string;
};

export type SessionInfo = { principal: string; idHash: string; csrfToken: string };

export type AppEnv = {
  Variables: {
    services: Services;
    requestId: string;
    auth: Auth | undefined;
    session: SessionInfo | undefined;
    clientIp: string | undefined;
  };
};
