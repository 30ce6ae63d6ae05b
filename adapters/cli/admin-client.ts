import type { BackupResult } from "../../db/backup.ts";
import type { LockInfo } from "../../db/data-dir-lock.ts";
import type { SeedReport } from "../../db/seeds/seed.ts";
import type { CreatedApiKey, NewApiKey } from "../http/api-keys.ts";
import type { SurfaceStatus } from "../http/config.ts";
import { CliError } from "./args.ts";

/** What `GET /api/v1/admin/status` answers, and what `baton status` shows in either mode. */
export type StatusView = {
  database: "pglite" | "postgres";
  migrations: { applied: number; pending: string[] };
  demo: boolean;
  surfaces: SurfaceStatus[];
};

/** An API key as listed: never its secret or its hash. */
export type ApiKeyView = {
  id: string;
  name: string;
  principal: string;
  scopes: string[];
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

export type SeedView = SeedReport & { demo: boolean };

export type AdminClient = {
  server: { pid: number; url: string };
  status(): Promise<StatusView>;
  createApiKey(input: NewApiKey): Promise<CreatedApiKey>;
  listApiKeys(): Promise<ApiKeyView[]>;
  /** False when no live key has that id. */
  revokeApiKey(id: string): Promise<boolean>;
  backup(): Promise<BackupResult>;
  seed(): Promise<SeedView>;
};

type ErrorBody = { error?: { code?: string; message?: string } };

/** The admin API of the server that holds the embedded database, with the per-run secret from its lock. */
export function adminClient(lock: LockInfo): AdminClient {
  const { adminUrl, adminSecret, pid } = lock;
  if (!adminUrl || !adminSecret) {
    throw new CliError(
      `A Baton server (pid ${pid}) holds the embedded database but is not listening yet; try again once it has started.`,
    );
  }
  const where = `the Baton server at ${adminUrl} (pid ${pid})`;

  async function call(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(new URL(path, adminUrl), {
        method,
        headers: {
          authorization: `Bearer ${adminSecret}`,
          accept: "application/json",
          "accept-language": "en",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason =
        error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : "";
      throw new CliError(`Could not reach ${where}${reason ? `: ${reason}` : ""}.`);
    }
    if (response.ok) return response;
    let message = `HTTP ${response.status}`;
    try {
      const parsed = (await response.json()) as ErrorBody;
      if (parsed.error?.message) message = parsed.error.message;
    } catch {
      // not JSON; keep the status
    }
    if (response.status === 401) {
      throw new CliError(
        `${where} refused the CLI's credentials (${message}). The admin API accepts the CLI only over loopback; is HOST a loopback address?`,
      );
    }
    if (response.status === 404 && method === "DELETE") return response;
    throw new CliError(`${where} answered: ${message}`);
  }

  const json = async <T>(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> =>
    (await (await call(method, path, body, timeoutMs)).json()) as T;

  return {
    server: { pid, url: adminUrl },
    status: () => json<StatusView>("GET", "/api/v1/admin/status"),
    createApiKey: (input) => json<CreatedApiKey>("POST", "/api/v1/admin/api-keys", input),
    listApiKeys: async () => (await json<{ apiKeys: ApiKeyView[] }>("GET", "/api/v1/admin/api-keys")).apiKeys,
    async revokeApiKey(id) {
      const response = await call("DELETE", `/api/v1/admin/api-keys/${encodeURIComponent(id)}`);
      return response.status !== 404;
    },
    backup: () => json<BackupResult>("POST", "/api/v1/admin/backups", undefined, 30 * 60_000),
    seed: () => json<SeedView>("POST", "/api/v1/admin/seed", undefined, 10 * 60_000),
  };
}
