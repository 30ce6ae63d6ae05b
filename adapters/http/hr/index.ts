import { Hono } from "hono";
import { noStore } from "../middleware/security.ts";
import type { AppEnv } from "../services.ts";
import { registerCalendarConsole } from "./calendar.ts";
import { notFoundPage, registerCaseConsole } from "./cases-routes.ts";
import { registerChannelConsole } from "./channels.ts";
import { registerDeadLetterConsole } from "./dead-letters.ts";
import { type HrEnv, hrGuard } from "./guard.ts";

/**
 * The HR console at `/hr` (DESIGN §4): server-rendered pages for HR sessions only, no scripts.
 * Every action goes through the same commands as the REST API, with the core's rules on who may act.
 */
export function registerHrConsole(app: Hono<AppEnv>): void {
  const hr = new Hono<HrEnv>();
  hr.use("*", noStore, hrGuard);
  registerCaseConsole(hr);
  registerChannelConsole(hr);
  registerCalendarConsole(hr);
  registerDeadLetterConsole(hr);
  hr.all("*", (c) => notFoundPage(c));
  app.route("/hr", hr as unknown as Hono<AppEnv>);
}
