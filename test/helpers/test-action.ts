import { like } from "drizzle-orm";
import type { LinkAction } from "../../adapters/http/links/actions.ts";
import { AppError } from "../../core/errors.ts";
import { translate } from "../../core/messages/index.ts";
import type { Database } from "../../db/client.ts";
import { settings } from "../../db/schema/index.ts";

/** A link action for tests: records one row per act; `data.fail` makes it fail after writing. */
export const testAction: LinkAction = {
  purpose: "test.action",
  requiresSession: true,
  describe: ({ principal, locale }) => ({
    title: translate(locale, "test.action.title"),
    body: translate(locale, "test.action.body", { principal }),
    confirm: translate(locale, "link.confirm"),
  }),
  async perform({ tx, principal, jti, data, locale }) {
    await tx.insert(settings).values({ key: `test-action:${jti}`, value: { principal } });
    if (data.fail) throw new AppError("unprocessable", "The test action was told to fail.");
    return { title: translate(locale, "test.action.done"), body: principal };
  },
};

export async function testActionCount(database: Database): Promise<number> {
  const rows = await database.db.select().from(settings).where(like(settings.key, "test-action:%"));
  return rows.length;
}
