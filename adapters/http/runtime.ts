import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { type Clock, systemClock } from "../../core/ports.ts";
import { type Database, openDatabase } from "../../db/client.ts";
import { acquireDataDirLock, type DataDirLock } from "../../db/data-dir-lock.ts";
import { createDispatcher } from "../../db/dispatcher.ts";
import { createChainWriter } from "../../db/evidence-chain.ts";
import { createInboxWorker } from "../../db/inbox.ts";
import { createScheduler } from "../../db/scheduler.ts";
import type { SeedSet } from "../../db/seeds/seed.ts";
import type { Config } from "./config.ts";
import { surfaceStatus } from "./config.ts";
import { type Cron, startCron } from "./cron.ts";
import { dingtalkStreamWanted, startDingTalkStream } from "./dingtalk-stream.ts";
import { type Keys, loadKeys } from "./keys.ts";
import { createLinkActionRegistry, type LinkAction } from "./links/actions.ts";
import { loginAction } from "./links/login-action.ts";
import { createLinkTokens } from "./links/tokens.ts";
import { createOperations } from "./operations.ts";
import { withModules } from "./registry.ts";
import type { Readiness, Services } from "./services.ts";
import { createSigner } from "./signer.ts";

export type RuntimeOptions = {
  logger: Logger;
  holder: "server" | "cli";
  clock?: Clock;
  seeds?: readonly SeedSet[];
  linkActions?: readonly LinkAction[];
  remoteAddress?: (raw: unknown) => string | undefined;
};

export type Runtime = {
  services: Services;
  lock: DataDirLock | undefined;
  /** Applies pending migrations (a backup first if there is data), then the demo seeds; flips readiness. */
  prepare(): Promise<void>;
  close(): Promise<void>;
};

export type ServiceParts = {
  config: Config;
  database: Database;
  keys: Keys;
  logger: Logger;
  clock: Clock;
  readiness: Readiness;
  linkActions?: readonly LinkAction[];
  seeds?: readonly SeedSet[];
  cliSecret?: string;
  remoteAddress(raw: unknown): string | undefined;
};

/** Builds every service from the opened parts: the one place that wires them (servers, CLI, tests). */
export function assembleServices(parts: ServiceParts): Services {
  const { config, database, keys, logger, clock } = parts;
  // The workers read the module registries (senders, processors, jobs) of the finished services.
  const services: Services = withModules({
    config,
    database,
    keys,
    logger,
    clock,
    readiness: parts.readiness,
    linkTokens: createLinkTokens({ keys, clock, publicUrl: config.publicUrl }),
    linkActions: createLinkActionRegistry([loginAction, ...(parts.linkActions ?? [])]),
    operations: createOperations({
      config,
      database,
      logger,
      master: keys.encryption,
      ...(parts.seeds ? { seeds: parts.seeds } : {}),
    }),
    ...(parts.cliSecret ? { cliSecret: parts.cliSecret } : {}),
    remoteAddress: parts.remoteAddress,
    signer: createSigner({ keys, database, clock, logger }),
    chainWriter: createChainWriter(database, { logger }),
    dispatcher: createDispatcher(database, {
      senders: () => services.senders,
      clock,
      logger,
      afterCommit: () => services.chainWriter.wake(),
    }),
    inbox: createInboxWorker(database, {
      processors: () => services.inboxProcessors,
      clock,
      logger,
      afterCommit: () => {
        services.chainWriter.wake();
        services.dispatcher.wake();
      },
    }),
    scheduler: createScheduler(database, {
      jobs: () => services.tickJobs,
      logger,
      afterTick: () => {
        services.chainWriter.wake();
        services.dispatcher.wake();
      },
    }),
  });
  return services;
}

/** Logs, once at start, which surfaces are on and which variables turn the others on. */
export function logSurfaces(config: Config, logger: Logger): void {
  for (const s of surfaceStatus(config)) {
    if (s.enabled) logger.info({ surface: s.surface }, `${s.surface} is on`);
    else
      logger.info(
        { surface: s.surface, missing: s.missing },
        `${s.surface} is off; set ${s.missing.join(", ")} to turn it on`,
      );
  }
}

/** Opens what a process needs to serve: the data-folder lock, the keys, the database and the services. */
export async function openRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const lock =
    config.database.kind === "pglite"
      ? acquireDataDirLock(config.database.dataDir, options.holder)
      : undefined;
  let database: Database | undefined;
  try {
    const keys = await loadKeys(config);
    if (keys.source.signing === "generated" || keys.source.encryption === "generated") {
      logger.warn(
        { keysDir: config.BATON_KEYS_DIR },
        "generated new keys; back up this folder separately from the data",
      );
    }
    database =
      config.database.kind === "pglite"
        ? await openDatabase({ kind: "pglite", dataDir: config.database.dataDir })
        : await openDatabase({ kind: "postgres", url: config.database.url });
    const openedDatabase = database;
    const services = assembleServices({
      config,
      database: openedDatabase,
      keys,
      logger,
      clock,
      readiness: { migrations: "pending" },
      ...(options.linkActions ? { linkActions: options.linkActions } : {}),
      ...(options.seeds ? { seeds: options.seeds } : {}),
      ...(options.holder === "server" ? { cliSecret: randomBytes(32).toString("base64url") } : {}),
      remoteAddress: options.remoteAddress ?? (() => undefined),
    });
    let cron: Cron | undefined;
    let stream: { stop(): Promise<void> } | undefined;
    return {
      services,
      lock,
      async prepare() {
        try {
          const state = await services.operations.migrate();
          services.readiness.migrations = state.pending.length === 0 ? "current" : "pending";
        } catch (error) {
          services.readiness.migrations = "failed";
          services.readiness.detail = "migrations failed; see the log";
          throw error;
        }
        if (config.demo) {
          const report = await services.operations.seed((message) => logger.info(message));
          if (report.applied.length > 0) logger.info({ applied: report.applied }, "demo data loaded");
        }
        await services.signer.register();
        services.chainWriter.start();
        services.dispatcher.start();
        services.inbox.start();
        cron = startCron(services);
        // After the inbox started: the Stream stores events there and acks them once stored.
        if (dingtalkStreamWanted(config, options.holder)) {
          const client = startDingTalkStream(services);
          stream = client;
          services.readiness.dingtalkStream = client;
        }
      },
      async close() {
        services.readiness.dingtalkStream = undefined;
        await stream?.stop();
        await cron?.stop();
        await services.inbox.stop();
        await services.dispatcher.stop();
        await services.chainWriter.stop();
        await openedDatabase.close();
        lock?.release();
      },
    };
  } catch (error) {
    await database?.close().catch(() => {});
    lock?.release();
    throw error;
  }
}
