import { randomBytes } from "node:crypto";
import { createApp } from "../http/app.ts";
import type { Config } from "../http/config.ts";
import { CliError } from "./args.ts";
import { direct, type Progress, type Target } from "./context.ts";

export type ApiRequest = { json?: unknown; text?: string; contentType?: string };
/** One call to Baton's HTTP API, whether a server holds the database or the CLI opened it. */
export type ApiCall = (method: string, path: string, request?: ApiRequest) => Promise<Response>;

type ErrorBody = { error?: { message?: string; details?: unknown } };

function requestInit(method: string, secret: string, request: ApiRequest = {}): RequestInit {
  const headers: Record<string, string> = { authorization: `Bearer ${secret}`, "accept-language": "en" };
  let body: string | undefined;
  if (request.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(request.json);
  } else if (request.text !== undefined) {
    headers["content-type"] = request.contentType ?? "text/plain";
    body = request.text;
  }
  return { method, headers, ...(body === undefined ? {} : { body }) };
}

/**
 * Runs `fn` against the API: through the running server's admin secret when it holds the embedded
 * database, otherwise in-process over a database the CLI opens (migrated first). Either way the
 * same routes, checks and rules apply.
 */
export async function withApi<T>(
  config: Config,
  target: Target,
  progress: Progress | undefined,
  fn: (api: ApiCall) => Promise<T>,
): Promise<T> {
  if (target.kind === "server") {
    const { adminUrl, adminSecret } = target.lock;
    if (!adminUrl || !adminSecret)
      throw new CliError("The Baton server is not listening yet; try again in a moment.");
    progress?.step(`asking the running Baton server at ${adminUrl}`);
    return fn(async (method, path, request) => {
      try {
        return await fetch(new URL(path, adminUrl), {
          ...requestInit(method, adminSecret, request),
          signal: AbortSignal.timeout(10 * 60_000),
        });
      } catch (error) {
        throw new CliError(
          `Could not reach the Baton server at ${adminUrl}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
  }
  return direct(config, progress, { migrate: true }, async (services) => {
    const secret = randomBytes(32).toString("base64url");
    const app = createApp({
      ...services,
      cliSecret: secret,
      remoteAddress: () => "127.0.0.1",
      readiness: { migrations: "current" },
    });
    // No server runs the chain writer here: chain what is waiting before reading, and what we wrote after.
    await services.chainWriter.runOnce();
    const result = await fn(async (method, path, request) =>
      app.request(path, requestInit(method, secret, request)),
    );
    await services.chainWriter.runOnce();
    return result;
  });
}

/** The JSON body of a successful answer; an error answer becomes a CliError with its message and details. */
export async function expectOk<T>(response: Response): Promise<T> {
  if (response.ok) return (await response.json()) as T;
  let message = `HTTP ${response.status}`;
  let details: unknown;
  try {
    const body = (await response.json()) as ErrorBody;
    message = body.error?.message ?? message;
    details = body.error?.details;
  } catch {
    // not JSON
  }
  const lines = Array.isArray(details)
    ? details.map((d) => {
        const item = d as {
          line?: number;
          externalId?: string;
          path?: string;
          field?: string;
          reason?: string;
          message?: string;
        };
        const where =
          item.line !== undefined
            ? `line ${item.line}${item.externalId ? ` (${item.externalId})` : ""}`
            : (item.path ?? item.field ?? "");
        return `  ${where ? `${where}: ` : ""}${item.reason ?? item.message ?? JSON.stringify(d)}`;
      })
    : [];
  throw new CliError([message, ...lines].join("\n"));
}
