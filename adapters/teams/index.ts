import type { RawRequest, SurfaceAdapter, VerifyResult } from "../shared/surface.ts";
import type { TeamsEvent } from "./parse.ts";
import { parseTeamsRequest } from "./parse.ts";
import { type AdaptiveCard, renderAdaptiveCard } from "./render.ts";
import { teamsChannelSender, teamsPersonSender } from "./send.ts";

export { dataKey, decodeBatonData } from "./codec.ts";
export {
  isLoopbackServiceUrl,
  type TeamsActivity,
  TeamsApiError,
  type TeamsConnector,
  type TeamsGateway,
  type TeamsInvokeResponse,
  type TeamsProcessed,
  type TeamsReference,
  type TeamsRequest,
  type TeamsTurn,
} from "./gateway.ts";
export {
  buildTeamsAppPackage,
  type TeamsAppPackage,
  type TeamsManifestOptions,
  teamsManifest,
} from "./manifest.ts";
export { parseTeamsActivity, parseTeamsRequest, type TeamsContext, type TeamsEvent } from "./parse.ts";
export {
  baseConversationId,
  groupKey,
  isRemoval,
  personalKey,
  referenceFromActivity,
  type StoredReference,
  storedPersonal,
  tenantOf,
} from "./reference.ts";
export {
  adaptiveCardContentType,
  renderActivity,
  renderAdaptiveCard,
  renderAttachment,
  renderInvokeCard,
  renderInvokeError,
  renderInvokeMessage,
  renderSearchResponse,
} from "./render.ts";
export {
  deliveryErrorOf,
  sourceKeyOf,
  type TeamsSendDeps,
  type TeamsSendLog,
  type TeamsSendStore,
  teamsChannelSender,
  teamsPersonSender,
} from "./send.ts";
export {
  idempotencyKeyOf,
  runTeamsTurn,
  type TeamsLog,
  type TeamsStore,
  type TeamsTurnDeps,
  type TurnResult,
} from "./turn.ts";

/** The path Teams posts to (the Azure Bot's messaging endpoint). */
export const webhookPath = "/webhooks/teams";

const bearerPattern = /^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The cheap, pure part of checking a request: with authentication on, it must carry a bearer JWT.
 * The token itself (RS256 signature by a key the Bot Framework announces and endorses for the
 * channel, issuer, audience = our app id, expiry, the `serviceurl` claim) is checked by botbuilder
 * in {@link TeamsGateway.process}, before anything reads the activity.
 */
export function verifyTeamsRequest(request: RawRequest, options: { authenticated: boolean }): VerifyResult {
  if (!options.authenticated) return { ok: true };
  const header = request.headers.authorization ?? "";
  return bearerPattern.test(header) ? { ok: true } : { ok: false, status: 401, reason: "no bearer token" };
}

export type TeamsSend = { person: typeof teamsPersonSender; channel: typeof teamsChannelSender };

export type TeamsAdapter = SurfaceAdapter<TeamsEvent, AdaptiveCard, TeamsSend>;

/**
 * The Microsoft Teams surface (DESIGN §7, README.md): verify = a bearer token must be there (the
 * Bot Framework JWT itself is botbuilder's check in the gateway), parse = activities → neutral
 * events, render = Adaptive Cards 1.5, send = proactive messages to people's 1:1 chats and bound
 * channels through stored conversation references.
 */
export function teamsAdapter(options: { authenticated: boolean }): TeamsAdapter {
  return {
    name: "teams",
    verify: (request) => verifyTeamsRequest(request, options),
    parse: (request) => parseTeamsRequest(request, { now: new Date() }),
    render: renderAdaptiveCard,
    send: { person: teamsPersonSender, channel: teamsChannelSender },
  };
}
