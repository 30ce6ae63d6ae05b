import type { Config } from "../http/config.ts";
import { expectOk, withApi } from "./api.ts";
import type { Command } from "./args.ts";
import { type CliIo, printJson, type Target } from "./context.ts";

type CalendarCommand = Extract<
  Command,
  { name: "calendar set" | "calendar unset" | "calendar status" | "calendar confirm" }
>;

type YearStatus = {
  region: string;
  year: number;
  status: "official" | "confirmed" | "provisional";
  overrides: number;
};

function describeStatus(body: unknown): string {
  const years = (body as { years?: YearStatus[] }).years;
  if (!Array.isArray(years)) return `${JSON.stringify(body, null, 2)}\n`;
  return `${years
    .map(
      (y) =>
        `${y.region} ${y.year}: ${
          y.status === "official"
            ? "official State Council schedule"
            : y.status === "confirmed"
              ? `schedule entered and confirmed by HR (${y.overrides} overrides)`
              : `PROVISIONAL: only the fixed statutory holidays (${y.overrides} overrides so far). Enter the official schedule with baton calendar set, then baton calendar confirm ${y.year}`
        }`,
    )
    .join("\n")}\n`;
}

/** `baton calendar set|unset|status`, through the calendar API. */
export async function calendarCommand(
  command: CalendarCommand,
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  const result = await withApi(config, target, undefined, async (api) => {
    switch (command.name) {
      case "calendar set":
        return expectOk<unknown>(
          await api("PUT", `/api/v1/calendar/overrides/${command.date}`, {
            json: { kind: command.kind, region: command.region, reason: command.reason },
          }),
        );
      case "calendar unset": {
        const response = await api(
          "DELETE",
          `/api/v1/calendar/overrides/${command.date}?region=${encodeURIComponent(command.region)}`,
        );
        return response.status === 204 ? { removed: true } : expectOk<unknown>(response);
      }
      case "calendar status":
        return expectOk<unknown>(await api("GET", "/api/v1/calendar/status"));
      case "calendar confirm":
        return expectOk<unknown>(
          await api("PUT", `/api/v1/calendar/years/${command.year}/confirm`, {
            json: { basis: command.basis, region: command.region },
          }),
        );
    }
  });
  if (command.json) return printJson(io, result);
  if (command.name === "calendar set") {
    io.stdout(
      `${command.region} ${command.date} is now a ${command.kind === "work" ? "working day" : "rest day"}.\n`,
    );
  } else if (command.name === "calendar confirm") {
    const overrides = (result as { overrides: number }).overrides;
    io.stdout(
      `${command.region} ${command.year} is confirmed (${overrides} overrides entered); its answers are no longer provisional.\n`,
    );
  } else if (command.name === "calendar unset") {
    io.stdout(`Removed the override on ${command.region} ${command.date}.\n`);
  } else {
    io.stdout(describeStatus(result));
  }
}
