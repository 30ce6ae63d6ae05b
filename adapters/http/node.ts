import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { logSurfaces, openRuntime } from "./runtime.ts";

type NodeBindings = { incoming?: { socket?: { remoteAddress?: string } } };

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.BATON_LOG_LEVEL);
  logSurfaces(config, logger);
  const runtime = await openRuntime(config, {
    logger,
    holder: "server",
    remoteAddress: (env) => (env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress,
  });
  const app = createApp(runtime.services);
  const server = serve(
    { fetch: app.fetch, port: config.PORT, hostname: config.HOST },
    (info: AddressInfo) => {
      const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
      const adminUrl = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${info.port}`;
      runtime.lock?.update({ adminUrl, adminSecret: runtime.services.cliSecret });
      logger.info(
        { port: info.port, host: config.HOST, database: runtime.services.database.kind },
        `Baton listens on ${adminUrl}`,
      );
    },
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    server.close();
    await runtime.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));

  try {
    await runtime.prepare();
  } catch (error) {
    logger.fatal({ err: { message: (error as Error).message } }, "start-up failed");
    server.close();
    await runtime.close();
    process.exit(1);
  }
  logger.info({ publicUrl: config.publicUrl, demo: config.demo }, "ready");
}

main().catch((error: unknown) => {
  process.stderr.write(`Baton could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
