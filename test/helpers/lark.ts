import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { configureLark, type LarkRuntimeOptions, larkRuntime } from "../../adapters/http/lark.ts";
import type { RawRequest } from "../../adapters/shared/surface.ts";
import type { Database } from "../../db/client.ts";
import { employeeIdentities, employees } from "../../db/schema/index.ts";
import { testAppId, testEncryptKey, testTenantKey, testVerificationToken } from "../fakes/lark.ts";
import { type FakeLarkApi, testLarkAppSecret } from "../fakes/lark-api.ts";
import { createTestApp, manualClock, type TestApp } from "./app.ts";

/** The Lark environment of a test app, against the fake open API. */
export function larkEnv(fake: FakeLarkApi, tenants = testTenantKey): Record<string, string> {
  return {
    LARK_APP_ID: testAppId,
    LARK_APP_SECRET: testLarkAppSecret,
    LARK_ENCRYPT_KEY: testEncryptKey,
    LARK_VERIFICATION_TOKEN: testVerificationToken,
    LARK_DOMAIN: fake.domain,
    LARK_TENANT_KEYS: tenants,
  };
}

export type LarkTestApp = TestApp & {
  clock: ReturnType<typeof manualClock>;
  /** Sends a request through the whole app; waits for the answers sent after the 200. */
  lark(request: RawRequest): Promise<Response>;
  idle(): Promise<void>;
};

export async function createLarkTestApp(
  database: Database,
  fake: FakeLarkApi,
  options: { env?: Record<string, string>; runtime?: LarkRuntimeOptions; start?: Date } = {},
): Promise<LarkTestApp> {
  const clock = manualClock(options.start);
  const t = await createTestApp(database, { env: { ...larkEnv(fake), ...options.env }, clock });
  configureLark(t.config, { ...options.runtime });
  const idle = async () => {
    await larkRuntime(t.services)?.idle();
  };
  return {
    ...t,
    clock,
    idle,
    async lark(request) {
      const response = await t.request("/webhooks/lark", {
        method: "POST",
        headers: request.headers,
        body: request.body,
      });
      await idle();
      return response;
    },
  };
}

/** Links Lark ids (open_id, union_id or user_id) to employees, as an admin does (never by e-mail). */
export async function linkLark(database: Database, ids: Record<string, string>): Promise<void> {
  for (const [externalId, larkId] of Object.entries(ids)) {
    const [row] = await database.db
      .select({ id: employees.id })
      .from(employees)
      .where(eq(employees.externalId, externalId));
    expect(row, externalId).toBeDefined();
    await database.db
      .insert(employeeIdentities)
      .values({ employeeId: row?.id as string, platform: "lark", platformUserId: larkId });
  }
}
