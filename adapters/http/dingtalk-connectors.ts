import { and, eq } from "drizzle-orm";
import { isIsoDate } from "../../core/compliance/dates.ts";
import { AppError, isAppError } from "../../core/errors.ts";
import type { Db } from "../../db/client.ts";
import { offboardingCommands } from "../../db/offboarding/index.ts";
import { setPlatformIdentity } from "../../db/repositories/directory.ts";
import { employeeIdentities, employees } from "../../db/schema/index.ts";
import type { DingTalkUser } from "../dingtalk/send.ts";
import { dingtalkClientOf } from "./dingtalk.ts";
import { offboardingDepsOf } from "./offboarding.ts";
import type { ModuleServices } from "./services.ts";

/**
 * DingTalk's built-in connectors (DESIGN §8):
 *
 * - Directory sync from the user API (departments from the root, `user/list`): a DingTalk user
 *   whose job number (工号, which the corp's admin sets) is an employee's id becomes that
 *   employee's `dingtalk` identity (the corp userid the robot callback carries as
 *   `senderStaffId`) — never matched by an e-mail. Changes go to the identity history and the
 *   evidence; a userid already linked to someone else is reported, not moved.
 * - An approved resignation approval (`bpms_instance_change`, `type: finish`, `result: agree`)
 *   becomes a case: the event only names the instance, which is read back from DingTalk (status
 *   COMPLETED, result agree) — its originator, creation day (the notice date) and form values
 *   (last day, reason) come from there, never from the event body. Idempotent per instance.
 */

export type DirectorySyncReport = {
  users: number;
  linked: string[];
  unchanged: number;
  /** DingTalk users whose job number is no employee (or who have none). */
  unmatched: string[];
  /** A userid already linked to another employee. */
  conflicts: { employeeExternalId: string; userid: string }[];
  /** Employees linked to a DingTalk user that is gone or inactive. */
  stale: { employeeExternalId: string; userid: string }[];
};

type Deps = Pick<ModuleServices, "config" | "clock" | "database" | "logger" | "chainWriter">;

function clientOf(services: Deps) {
  const client = dingtalkClientOf(services);
  if (!client) throw new AppError("not_found", "DingTalk is not enabled.", { messageKey: "error.not_found" });
  return client;
}

export async function dingtalkDirectorySync(services: Deps): Promise<DirectorySyncReport> {
  const client = clientOf(services);
  const db = services.database.db;
  const users = new Map<string, DingTalkUser>();
  for await (const user of client.users()) users.set(user.userid, user);
  const report: DirectorySyncReport = {
    users: users.size,
    linked: [],
    unchanged: 0,
    unmatched: [],
    conflicts: [],
    stale: [],
  };
  const now = services.clock.now();
  for (const user of [...users.values()].sort((a, b) => a.userid.localeCompare(b.userid))) {
    if (!user.active || !user.jobNumber) {
      if (!user.jobNumber) report.unmatched.push(user.userid);
      continue;
    }
    try {
      const changed = await db.transaction((tx) =>
        setPlatformIdentity(tx as unknown as Db, {
          externalId: user.jobNumber as string,
          platform: "dingtalk",
          platformUserId: user.userid,
          actor: "system:dingtalk",
          now,
        }),
      );
      if (changed === undefined) report.unmatched.push(user.userid);
      else if (changed) report.linked.push(user.jobNumber);
      else report.unchanged += 1;
    } catch (error) {
      if (!isAppError(error) || error.code !== "conflict") throw error;
      report.conflicts.push({ employeeExternalId: user.jobNumber, userid: user.userid });
    }
  }
  const linked = await db
    .select({ externalId: employees.externalId, userid: employeeIdentities.platformUserId })
    .from(employees)
    .innerJoin(
      employeeIdentities,
      and(eq(employeeIdentities.employeeId, employees.id), eq(employeeIdentities.platform, "dingtalk")),
    )
    .where(eq(employees.status, "active"));
  for (const row of linked) {
    const user = users.get(row.userid);
    if (!user?.active) report.stale.push({ employeeExternalId: row.externalId, userid: row.userid });
  }
  if (report.linked.length > 0) services.chainWriter.wake();
  return report;
}

export type ApprovalOutcome =
  | { status: "ignored"; reason: string }
  | { status: "opened"; caseId: string; created: boolean };

type Json = Record<string, unknown>;

const lastDayNames = /最后工作日|离职日期|预计离职|last\s*(working\s*)?day|leaving\s*date/i;
const reasonNames = /离职原因|原因|reason/i;

/** What an approved resignation instance opens: the offboarding command's input. */
export type ApprovalCaseInput = {
  processInstanceId: string;
  employeeExternalId: string;
  noticeDate: string;
  requestedLastDay: string | null;
  reason: string | null;
};

/** The idempotency key of the case an instance opens (the forwarding API and Stream mode share it). */
export const dingtalkApprovalKey = (processInstanceId: string) => `dingtalk-approval:${processInstanceId}`;

/**
 * Reads a `bpms_instance_change` event's instance back from DingTalk: an approved one whose
 * originator is linked → the case to open; anything else → why not. `db` may be a transaction.
 */
export async function readDingTalkApproval(
  services: Deps,
  db: Db,
  event: unknown,
): Promise<{ status: "ignored"; reason: string } | { status: "open"; input: ApprovalCaseInput }> {
  const body = (typeof event === "object" && event !== null ? event : {}) as Json;
  const eventType = String(body.EventType ?? body.eventType ?? "bpms_instance_change");
  const id = String(body.processInstanceId ?? body.process_instance_id ?? "");
  if (eventType !== "bpms_instance_change") return { status: "ignored", reason: `event type ${eventType}` };
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id))
    throw new AppError("bad_request", "The event has no valid processInstanceId.", {
      messageKey: "error.bad_request",
    });
  if (body.type !== undefined && body.type !== "finish")
    return { status: "ignored", reason: `type ${String(body.type)}` };
  // Another approval template (a leave request, an expense claim) opens nothing; an event without
  // its template cannot be told apart and is taken (the forwarder chose it).
  const template = services.config.DINGTALK_RESIGNATION_PROCESS_CODE;
  if (template && typeof body.processCode === "string" && body.processCode !== template)
    return { status: "ignored", reason: "another approval template" };
  // The event body is not trusted: the instance is read back from DingTalk.
  const instance = await clientOf(services).approvalInstance(id);
  if (instance.status !== "COMPLETED" || instance.result !== "agree")
    return { status: "ignored", reason: `instance ${String(instance.status)}/${String(instance.result)}` };
  const originator = String(instance.originator_userid ?? "");
  const [person] = await db
    .select({ externalId: employees.externalId })
    .from(employees)
    .innerJoin(employeeIdentities, eq(employeeIdentities.employeeId, employees.id))
    .where(
      and(eq(employeeIdentities.platform, "dingtalk"), eq(employeeIdentities.platformUserId, originator)),
    );
  if (!person) return { status: "ignored", reason: "the originator has no DingTalk identity" };
  const noticeDate = String(instance.create_time ?? "").slice(0, 10);
  if (!isIsoDate(noticeDate)) return { status: "ignored", reason: "the instance has no creation day" };
  const values = (
    Array.isArray(instance.form_component_values) ? instance.form_component_values : []
  ) as Json[];
  const field = (names: RegExp) => {
    const hit = values.find((v) => typeof v.name === "string" && names.test(v.name));
    return typeof hit?.value === "string" ? hit.value.trim() : undefined;
  };
  const lastDay = field(lastDayNames)?.slice(0, 10);
  const reason = field(reasonNames)?.slice(0, 2000);
  return {
    status: "open",
    input: {
      processInstanceId: id,
      employeeExternalId: person.externalId,
      noticeDate,
      requestedLastDay: lastDay && isIsoDate(lastDay) ? lastDay : null,
      reason: reason || null,
    },
  };
}

/** A `bpms_instance_change` event (as DingTalk pushes it, or forwarded) → a case when approved. */
export async function dingtalkApprovalToCase(services: Deps, event: unknown): Promise<ApprovalOutcome> {
  const read = await readDingTalkApproval(services, services.database.db, event);
  if (read.status === "ignored") return read;
  const { input } = read;
  const opened = await offboardingCommands(offboardingDepsOf(services)).openCase({
    employeeExternalId: input.employeeExternalId,
    noticeDate: input.noticeDate,
    separationType: "resignation",
    requestedLastDay: input.requestedLastDay,
    reason: input.reason,
    actor: "system:dingtalk",
    channel: "dingtalk",
    idempotencyKey: dingtalkApprovalKey(input.processInstanceId),
  });
  return { status: "opened", caseId: opened.case.id, created: opened.created };
}
