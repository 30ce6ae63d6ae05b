import { AppError } from "../../core/errors.ts";
import { queueConnectorAction } from "../../db/connectors.ts";
import { type InboxProcessor, receiveInbound } from "../../db/inbox.ts";
import {
  createStreamClient,
  type EventAckStatus,
  type StreamClient,
  type StreamFrame,
} from "../dingtalk/stream.ts";
import { type Config, isSurfaceEnabled } from "./config.ts";
import { dingtalkApprovalKey, readDingTalkApproval } from "./dingtalk-connectors.ts";
import type { ModuleServices } from "./services.ts";

/**
 * DingTalk's own delivery of approval events: the Stream mode client (adapters/dingtalk/stream.ts),
 * run by the server (not the CLI) when DingTalk is on and `DINGTALK_STREAM=1`.
 *
 * An EVENT `bpms_instance_change` of a corp in `DINGTALK_CORP_IDS`, finished and agreed, of the
 * template `DINGTALK_RESIGNATION_PROCESS_CODE`, is stored in the inbox (`dingtalk:approval`, key
 * `approval:<processInstanceId>`) and only then acked SUCCESS; if storing fails the ack is LATER
 * and DingTalk sends it again. Every other event is acked SUCCESS and dropped (logged at info).
 * The inbox processor reads the instance back from DingTalk (the event body is not trusted) and
 * queues an "open case" connector action with the same idempotency key as
 * `POST /api/v1/dingtalk/approval-events`, so an instance opens one case whichever way it came.
 */

export const dingtalkApprovalSource = "dingtalk:approval";

type Json = Record<string, unknown>;

type Deps = Pick<ModuleServices, "config" | "clock" | "database" | "logger" | "chainWriter" | "inbox">;

/** Whether this process should hold the Stream connection. */
export function dingtalkStreamWanted(config: Config, holder: "server" | "cli"): boolean {
  return holder === "server" && config.DINGTALK_STREAM === true && isSurfaceEnabled(config, "dingtalk");
}

const instanceId = /^[A-Za-z0-9_-]{1,128}$/;

/** One EVENT frame → stored (SUCCESS once durable) or dropped (SUCCESS). Throws when storing fails. */
export async function storeDingTalkStreamEvent(services: Deps, frame: StreamFrame): Promise<EventAckStatus> {
  const { config, logger, clock, database } = services;
  const { eventType, eventCorpId, eventId } = frame.headers;
  const log = { surface: "dingtalk", eventType, eventId };
  if (eventType !== "bpms_instance_change") {
    logger.info(log, "DingTalk Stream event of a type Baton does not use; acked");
    return "SUCCESS";
  }
  if (!eventCorpId || !config.DINGTALK_CORP_IDS.includes(eventCorpId)) {
    logger.info({ ...log, corp: eventCorpId }, "DingTalk Stream event of another corp ignored");
    return "SUCCESS";
  }
  let data: Json;
  try {
    const parsed: unknown = JSON.parse(frame.data);
    if (typeof parsed !== "object" || parsed === null) throw new Error("not an object");
    data = parsed as Json;
  } catch {
    logger.warn(log, "DingTalk Stream approval event unreadable; acked and dropped");
    return "SUCCESS";
  }
  const id = typeof data.processInstanceId === "string" ? data.processInstanceId : "";
  if (!instanceId.test(id)) {
    logger.warn(log, "DingTalk Stream approval event without a valid processInstanceId; dropped");
    return "SUCCESS";
  }
  // Start events (type "start"), refusals and terminations open nothing.
  if (data.type !== "finish" || data.result !== "agree") {
    logger.info(
      { ...log, type: data.type, result: data.result },
      "DingTalk approval not an approval; ignored",
    );
    return "SUCCESS";
  }
  const wanted = config.DINGTALK_RESIGNATION_PROCESS_CODE;
  if (!wanted || data.processCode !== wanted) {
    logger.info(
      { ...log, configured: Boolean(wanted) },
      wanted
        ? "DingTalk approval of another template ignored"
        : "DingTalk approval ignored: DINGTALK_RESIGNATION_PROCESS_CODE is not set",
    );
    return "SUCCESS";
  }
  const now = clock.now();
  const stored = await receiveInbound(database, {
    source: dingtalkApprovalSource,
    idempotencyKey: `approval:${id}`,
    payload: { processInstanceId: id, processCode: data.processCode, corpId: eventCorpId, eventId },
    receivedAt: now,
    notBefore: now,
  });
  if (!stored.duplicate) services.inbox.wake();
  logger.info({ ...log, inboxId: stored.id, duplicate: stored.duplicate }, "DingTalk approval event stored");
  return "SUCCESS";
}

/** The inbox processor of approval events that came through the Stream. */
export function dingtalkInboxProcessors(
  services: Pick<ModuleServices, "config" | "clock" | "database" | "logger" | "chainWriter">,
): InboxProcessor[] {
  return [
    {
      source: dingtalkApprovalSource,
      async process(tx, message) {
        const payload = (message.payload ?? {}) as Json;
        if (typeof payload.processInstanceId !== "string")
          throw new AppError("bad_request", "The stored approval event has no processInstanceId.");
        const read = await readDingTalkApproval(services, tx, {
          eventType: "bpms_instance_change",
          processInstanceId: payload.processInstanceId,
          type: "finish",
        });
        if (read.status === "ignored") {
          services.logger.info(
            { surface: "dingtalk", reason: read.reason },
            "DingTalk approval opens no case",
          );
          return;
        }
        const { input } = read;
        await queueConnectorAction(tx, {
          kind: "open-case",
          system: "dingtalk",
          inboxId: message.id,
          webhookId: dingtalkApprovalKey(input.processInstanceId),
          payload: {
            employeeExternalId: input.employeeExternalId,
            noticeDate: input.noticeDate,
            ...(input.requestedLastDay ? { requestedLastDay: input.requestedLastDay } : {}),
            ...(input.reason ? { reason: input.reason } : {}),
          },
          now: services.clock.now(),
        });
      },
    },
  ];
}

export type DingTalkStreamOptions = {
  fetch?: typeof fetch;
  backoffMs?: number;
  maxBackoffMs?: number;
  keepAliveMs?: number;
};

/** Starts the Stream client for these services (the caller checked `dingtalkStreamWanted`). */
export function startDingTalkStream(services: Deps, options: DingTalkStreamOptions = {}): StreamClient {
  const { config, logger } = services;
  if (!config.DINGTALK_RESIGNATION_PROCESS_CODE)
    logger.warn(
      { surface: "dingtalk" },
      "DINGTALK_STREAM is on but DINGTALK_RESIGNATION_PROCESS_CODE is not set: approvals open no case",
    );
  const client = createStreamClient({
    clientId: config.DINGTALK_APP_KEY as string,
    clientSecret: config.DINGTALK_APP_SECRET as string,
    ...(config.DINGTALK_API_URL ? { apiUrl: config.DINGTALK_API_URL } : {}),
    onEvent: (frame) => storeDingTalkStreamEvent(services, frame),
    logger,
    ...options,
  });
  client.start();
  return client;
}
