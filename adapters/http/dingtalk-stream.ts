import { createHash } from "node:crypto";
import { AppError } from "../../core/errors.ts";
import { queueConnectorAction } from "../../db/connectors.ts";
import { type InboxProcessor, receiveInbound } from "../../db/inbox.ts";
import { type DingTalkEvent, parseDingTalkMessage } from "../dingtalk/parse.ts";
import {
  createStreamClient,
  type EventAckStatus,
  robotMessageTopic,
  type StreamClient,
  type StreamFrame,
} from "../dingtalk/stream.ts";
import type { ParseResult } from "../shared/surface.ts";
import { type Config, isSurfaceEnabled } from "./config.ts";
import { acceptDingTalkEvent } from "./dingtalk.ts";
import { dingtalkApprovalKey, readDingTalkApproval } from "./dingtalk-connectors.ts";
import type { ModuleServices, Services } from "./services.ts";

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
 *
 * The robot's chat messages, when the robot's receiving mode is Stream: CALLBACK frames of topic
 * `/v1.0/im/bot/messages/get` whose `data` is the body the HTTP callback POSTs. They take the HTTP
 * route's path after its verification (parse, the corp allow-list, the bot's inbox keyed by
 * `msg:<msgId>`, the answers) and the frame is answered once the bot's inbox has stored the
 * message; when storing fails it is not answered, and DingTalk sends it again.
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

/**
 * One robot message frame → stored in the bot's inbox (resolves; `track` gets the delivery of the
 * answers) or dropped (resolves: unreadable, not for the bot, another corp's robot, a redelivery).
 * Throws when the message could not be stored, so the frame stays unanswered and comes again.
 *
 * No `timestamp`/`sign` check and no pair memory here, unlike `POST /webhooks/dingtalk`: a
 * Stream frame arrives on the WebSocket Baton opened itself, over TLS to DingTalk, with a
 * single-use ticket that DingTalk gave for the app's own AppKey/AppSecret
 * (https://opensource.dingtalk.com/developerpedia/docs/learn/stream/protocol; reference note §B8),
 * so no one else can put a frame on it. The message still authorises nothing privileged on its
 * own (the one-time code of `dingtalk.confirm`, as over HTTP).
 */
export async function handleDingTalkStreamMessage(
  services: Services,
  frame: StreamFrame,
  track: (done: Promise<void>) => void = () => {},
): Promise<void> {
  const { logger, clock } = services;
  const messageId = frame.headers.messageId ?? "";
  const log = { surface: "dingtalk", transport: "stream" };
  let body: unknown;
  try {
    body = JSON.parse(frame.data);
  } catch {
    logger.warn(log, "DingTalk Stream robot message unreadable; answered and dropped");
    return;
  }
  let event: ParseResult<DingTalkEvent>;
  try {
    event = parseDingTalkMessage(body, { now: clock.now() });
  } catch (error) {
    // Malformed: the same frame again would not read better.
    logger.warn(
      { ...log, reason: (error as Error).message.slice(0, 200) },
      "DingTalk Stream robot message malformed; answered and dropped",
    );
    return;
  }
  const [message] = event.kind === "events" ? event.events : [];
  if (!message) {
    logger.debug(
      { ...log, reason: event.kind === "ignored" ? event.reason : "empty" },
      "DingTalk message ignored",
    );
    return;
  }
  // Evidence of where the message came from (kept with a signature): the SHA-256 of the body as
  // DingTalk delivered it and the Stream delivery's id, in place of the HTTP callback's sign.
  const proof = {
    requestSha256: createHash("sha256").update(frame.data, "utf8").digest("hex"),
    signatureHeader: `stream:${messageId.slice(0, 200)}`,
  };
  let accepted: Awaited<ReturnType<typeof acceptDingTalkEvent>>;
  try {
    accepted = await acceptDingTalkEvent(services, message, proof);
  } catch (error) {
    if (error instanceof AppError && error.code === "forbidden") {
      logger.info(
        { ...log, corp: message.dingtalk.chatbotCorpId },
        "DingTalk robot of another corp; dropped",
      );
      return;
    }
    if (error instanceof AppError && error.code === "bad_request") {
      // e.g. a msgId too long for an idempotency key: the same frame again would fail the same.
      logger.warn(
        { ...log, reason: error.message.slice(0, 200) },
        "DingTalk Stream robot message refused; dropped",
      );
      return;
    }
    throw error;
  }
  if (accepted.duplicate) {
    logger.debug(log, "DingTalk redelivery; already handled");
    return;
  }
  track(
    accepted.done.catch((error: unknown) =>
      logger.error(
        { ...log, error: (error as Error).name },
        "a DingTalk answer failed; the inbox worker runs the message again if it was not done",
      ),
    ),
  );
}

export type DingTalkStreamOptions = {
  fetch?: typeof fetch;
  backoffMs?: number;
  maxBackoffMs?: number;
  keepAliveMs?: number;
};

/** The Stream client, and the answers to robot messages still being delivered. */
export type DingTalkStream = StreamClient & {
  /** Resolves once the answers of the messages received so far are delivered (tests, shutdown). */
  settled(): Promise<void>;
};

/** How long `stop()` waits for answers still being delivered. */
const answersOnStopMs = 5_000;

/**
 * Starts the Stream client for these services (the caller checked `dingtalkStreamWanted`):
 * approval events, and the robot's messages when its receiving mode is Stream.
 */
export function startDingTalkStream(services: Services, options: DingTalkStreamOptions = {}): DingTalkStream {
  const { config, logger } = services;
  const pending = new Set<Promise<void>>();
  const track = (done: Promise<void>) => {
    pending.add(done);
    void done.finally(() => pending.delete(done));
  };
  const settled = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };
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
    callbacks: { [robotMessageTopic]: (frame) => handleDingTalkStreamMessage(services, frame, track) },
    logger,
    ...options,
  });
  client.start();
  return {
    start: () => client.start(),
    async stop() {
      await client.stop();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        settled(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, answersOnStopMs);
        }),
      ]).finally(() => clearTimeout(timer));
    },
    get connected() {
      return client.connected;
    },
    get connections() {
      return client.connections;
    },
    settled,
  };
}
