import type { NotificationSenders } from "../../core/notifications/delivery.ts";
import type { DigestSection } from "../../core/notifications/digest.ts";
import type { CheckGate } from "../../core/offboarding/gates.ts";
import type { TickJob } from "../../core/ports.ts";
import { provisionalCalendarJob } from "../../db/calendar-alerts.ts";
import { recordingSenders } from "../../db/delivery-sink.ts";
import { dailyDigestJob } from "../../db/digest.ts";
import type { InboxProcessor } from "../../db/inbox.ts";
import { offboardingTickJob } from "../../db/offboarding/tick.ts";
import { offboardingDigestSection } from "../../db/offboarding-digest.ts";
import { agreementGate } from "./agreements/gate.ts";
import { chainTimestampJob, hireRequestJob, signatureReminderJob } from "./agreements/jobs.ts";
import { agreementSignAction } from "./agreements/sign-action.ts";
import { botInboxProcessors, conversationPurgeJob, createBot } from "./bot/index.ts";
import { certificateDownloadAction } from "./certificate/download.ts";
import { unissuedCertificateJob } from "./certificate/tick.ts";
import { connectorJob } from "./connectors/job.ts";
import { connectorProcessors } from "./connectors/processors.ts";
import { connectorSenderEntry } from "./connectors/senders.ts";
import { dingtalkChannelEntry, dingtalkLinks, dingtalkPersonEntry, dingtalkPurgeJob } from "./dingtalk.ts";
import { dingtalkInboxProcessors } from "./dingtalk-stream.ts";
import { emailPersonEntry } from "./email.ts";
import { larkChannelEntry, larkInboxProcessors, larkPersonEntry } from "./lark.ts";
import type { LinkAction } from "./links/actions.ts";
import { nonCompeteJob } from "./non-compete/job.ts";
import { offboardingDepsOf } from "./offboarding.ts";
import { postedMessagesPurgeJob } from "./posted-memory.ts";
import { auditHeadType } from "./routes/audit.ts";
import type { ModuleServices, Services } from "./services.ts";
import { slackChannelEntry, slackInboxProcessors, slackPersonEntry } from "./slack.ts";
import { teamsChannelEntry, teamsPersonEntry } from "./teams.ts";
import { trainingCheckGate, trainingJobs, trainingLinks } from "./training/module.ts";
import { webPersonEntry } from "./web-chat.ts";

type Base = ModuleServices;

/**
 * The gates of the offboarding check step. Each module that adds one appends it here (agreements
 * signed, training passed); with none, the check step passes with a note.
 */
export function checkGates(services: Base): CheckGate[] {
  return [agreementGate(services), trainingCheckGate(services)];
}

/** The jobs the scheduler's tick runs, in order. Each module that needs one appends it here. */
export function tickJobs(services: Base): TickJob[] {
  const { database, config } = services;
  return [
    provisionalCalendarJob({ database, timeZone: config.BATON_TIMEZONE }),
    unissuedCertificateJob(services),
    hireRequestJob(services),
    signatureReminderJob(services),
    chainTimestampJob(services),
    ...trainingJobs(services),
    offboardingTickJob(offboardingDepsOf(services)),
    connectorJob(services),
    nonCompeteJob(services),
    conversationPurgeJob(services),
    dingtalkPurgeJob(services),
    postedMessagesPurgeJob(services),
    // Last: the digest reports what this tick's jobs left.
    dailyDigestJob({
      database,
      signer: services.signer,
      headType: auditHeadType,
      timeZone: config.BATON_TIMEZONE,
      sections: digestSections(services),
    }),
  ];
}

/** Parts of HR's daily digest (open cases and steps, …). Each module with something to report appends one. */
export function digestSections(services: Base): DigestSection[] {
  return [offboardingDigestSection(services.database)];
}

/**
 * Who delivers each recipient type: `person` (chat surfaces, e-mail), `channel` (group chats),
 * `system` (connectors). The recording sink takes whatever no surface or connector sends yet.
 */
export function notificationSenders(services: Base): NotificationSenders {
  const recording = recordingSenders(services.database, services.clock);
  return {
    ...recording,
    person: emailPersonEntry(
      services,
      slackPersonEntry(
        services,
        teamsPersonEntry(
          services,
          larkPersonEntry(
            services,
            dingtalkPersonEntry(services, webPersonEntry(services, recording.person)),
          ),
        ),
      ),
    ),
    channel: slackChannelEntry(
      services,
      teamsChannelEntry(
        services,
        larkChannelEntry(services, dingtalkChannelEntry(services, recording.channel)),
      ),
    ),
    system: connectorSenderEntry(services, recording.system),
  };
}

/** The processor of each inbound source (connector webhooks, chat events). Each module appends its own. */
export function inboxProcessors(services: Base): InboxProcessor[] {
  return [
    ...connectorProcessors(services),
    ...botInboxProcessors(services),
    ...slackInboxProcessors(services),
    ...larkInboxProcessors(services),
    ...dingtalkInboxProcessors(services),
  ];
}

/**
 * Signed-link actions that need the other services (lesson and quiz pages, web signing). Each
 * module that adds some appends them here; they join the login action in `services.linkActions`.
 */
export function moduleLinkActions(services: Base): LinkAction[] {
  return [
    certificateDownloadAction(services),
    agreementSignAction(services),
    ...trainingLinks(services),
    ...dingtalkLinks(services),
  ];
}

/** Completes services with the gates and tick jobs, which themselves use the other services. */
export function withModules(base: Base): Services {
  const services = base as Services;
  services.gates = checkGates(base);
  services.tickJobs = tickJobs(base);
  services.senders = notificationSenders(base);
  services.inboxProcessors = inboxProcessors(base);
  for (const action of moduleLinkActions(base)) services.linkActions.register(action);
  services.bot = createBot(base);
  return services;
}
