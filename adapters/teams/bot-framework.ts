/**
 * The Teams gateway over botbuilder 4.23 (shared/reference/slack-teams.md §B1, §B2, §B4, §B5):
 * `CloudAdapter` behind Hono through a small request/response shim, and proactive sends through
 * `continueConversationAsync`. Node only (the SDK does not start on Workers without aliasing).
 *
 * - Authentication is botbuilder's: `ConfigurationBotFrameworkAuthentication` with our app id,
 *   password and tenant (single-tenant bot). Without an app id botbuilder checks nothing — only
 *   the local `TEAMS_ALLOW_UNAUTHENTICATED` mode does that, and then `allowServiceUrl` keeps every
 *   call on loopback.
 * - `endpoints` replace every parameterised Bot Framework URL at once (botbuilder uses exactly the
 *   given set as soon as one is set, reference §B1): tests point them at a local OpenID metadata
 *   and key set. `outboundToken` replaces MSAL for the bot's own token (tests: a fixed one).
 * - Proactive sends run without the SDK's own retries (the outbox retries, honours `Retry-After`
 *   and does not post a message twice in a hurry); the connector's refusal becomes a
 *   {@link TeamsApiError}. Replies within a request keep the SDK's retries.
 */

import {
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type ConversationReference,
  INVOKE_RESPONSE_KEY,
  type TurnContext,
} from "botbuilder";
import {
  type TeamsActivity,
  TeamsApiError,
  type TeamsGateway,
  type TeamsProcessed,
  type TeamsReference,
  type TeamsRequest,
  type TeamsTurn,
} from "./gateway.ts";

/** The Bot Framework's public-cloud endpoints (botbuilder's `AuthenticationConstants`). */
export type BotFrameworkEndpoints = {
  /** Where the channel's signing keys are announced (`ToBotFromChannelOpenIdMetadataUrl`). */
  openIdMetadataUrl: string;
  /** The issuer of channel tokens (`ToBotFromChannelTokenIssuer`). */
  tokenIssuer: string;
  /** `ToBotFromEmulatorOpenIdMetadataUrl`. */
  emulatorOpenIdMetadataUrl: string;
  /** Where the bot gets its own token (`ToChannelFromBotLoginUrl`). */
  loginUrl: string;
  /** The audience of the bot's own token (`ToChannelFromBotOAuthScope`). */
  oauthScope: string;
  /** The user token service (`OAuthUrl`; unused by Baton). */
  oauthUrl: string;
  /** `CallerId` stamped on inbound activities. */
  callerId: string;
  validateAuthority: boolean;
};

export const publicCloud: BotFrameworkEndpoints = {
  openIdMetadataUrl: "https://login.botframework.com/v1/.well-known/openidconfiguration",
  tokenIssuer: "https://api.botframework.com",
  emulatorOpenIdMetadataUrl:
    "https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration",
  loginUrl: "https://login.microsoftonline.com/botframework.com",
  oauthScope: "https://api.botframework.com",
  oauthUrl: "https://api.botframework.com",
  callerId: "urn:botframework:azure",
  validateAuthority: true,
};

export type BotFrameworkOptions = {
  /** The Azure Bot's app id; empty: no authentication (local testing only). */
  appId: string | undefined;
  appPassword?: string | undefined;
  /** The bot's own tenant (single-tenant bots get their token there). */
  tenantId?: string | undefined;
  /** Every Bot Framework URL at once (tests). Default: the public cloud's built into botbuilder. */
  endpoints?: BotFrameworkEndpoints | undefined;
  /** The bot's outbound token instead of MSAL with the password (tests). */
  outboundToken?: (() => Promise<string>) | undefined;
  /** Which service URLs the bot may call (the local mode: loopback only). Default: any. */
  allowServiceUrl?: ((url: string) => boolean) | undefined;
};

type HttpHeadersLike = { get?(name: string): string | null | undefined };
type ConnectorLike = {
  client?: { pipeline?: { removePolicy(options: { name: string }): unknown } };
  conversations: {
    sendToConversation(conversationId: string, activity: unknown): Promise<{ id?: string }>;
    createConversation(parameters: unknown): Promise<{ id?: string }>;
  };
};

function retryAfterSeconds(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

/** A connector failure (`RestError` of the Azure pipeline) as a {@link TeamsApiError}. */
export function teamsApiErrorOf(error: unknown): TeamsApiError {
  if (error instanceof TeamsApiError) return error;
  const e = (error ?? {}) as {
    statusCode?: unknown;
    code?: unknown;
    message?: unknown;
    response?: { status?: unknown; headers?: HttpHeadersLike; bodyAsText?: unknown };
  };
  const status =
    typeof e.statusCode === "number"
      ? e.statusCode
      : typeof e.response?.status === "number"
        ? e.response.status
        : undefined;
  let code = typeof e.code === "string" ? e.code : undefined;
  if (typeof e.response?.bodyAsText === "string") {
    try {
      const body = JSON.parse(e.response.bodyAsText) as { error?: { code?: unknown } };
      if (typeof body.error?.code === "string") code = body.error.code;
    } catch {
      // not JSON: keep the pipeline's code
    }
  }
  const header = e.response?.headers?.get?.("retry-after");
  return new TeamsApiError(`Bot Connector ${status ?? "unreachable"}${code ? ` (${code})` : ""}`, {
    status,
    retryAfterSeconds: retryAfterSeconds(header),
    code,
  });
}

/** Outbound credentials with a fixed bearer token (tests), in place of MSAL. */
class FixedTokenCredentialFactory extends ConfigurationServiceClientCredentialFactory {
  constructor(
    appId: string,
    private readonly token: () => Promise<string>,
  ) {
    super({ MicrosoftAppId: appId });
  }

  override async createCredentials(): Promise<never> {
    const token = this.token;
    const credentials = {
      async signRequest<T extends { headers: { set(name: string, value: string): void } }>(request: T) {
        request.headers.set("authorization", `Bearer ${await token()}`);
        return request;
      },
    };
    return credentials as never;
  }
}

function referenceOf(reference: TeamsReference): Partial<ConversationReference> {
  return {
    channelId: reference.channelId,
    serviceUrl: reference.serviceUrl,
    conversation: { isGroup: false, ...reference.conversation } as ConversationReference["conversation"],
    bot: { id: reference.bot.id, name: reference.bot.name ?? "" },
    ...(reference.user
      ? { user: { id: reference.user.id, name: "", aadObjectId: reference.user.aadObjectId } }
      : {}),
  };
}

/** Builds the gateway (one per configuration; botbuilder caches signing keys per metadata URL). */
export function createBotFrameworkGateway(options: BotFrameworkOptions): TeamsGateway {
  const appId = options.appId ?? "";
  const endpoints = options.endpoints;
  const settings: Record<string, string | boolean> = {
    MicrosoftAppId: appId,
    ...(appId
      ? {
          MicrosoftAppPassword: options.appPassword ?? "",
          MicrosoftAppType: "SingleTenant",
          MicrosoftAppTenantId: options.tenantId ?? "",
        }
      : {}),
    // All of them or none (reference §B1): any one set makes botbuilder use exactly this set.
    ...(endpoints
      ? {
          ToBotFromChannelOpenIdMetadataUrl: endpoints.openIdMetadataUrl,
          ToBotFromChannelTokenIssuer: endpoints.tokenIssuer,
          ToBotFromEmulatorOpenIdMetadataUrl: endpoints.emulatorOpenIdMetadataUrl,
          ToChannelFromBotLoginUrl: endpoints.loginUrl,
          ToChannelFromBotOAuthScope: endpoints.oauthScope,
          OAuthUrl: endpoints.oauthUrl,
          CallerId: endpoints.callerId,
          ValidateAuthority: endpoints.validateAuthority,
        }
      : {}),
  };
  const credentials =
    appId && options.outboundToken
      ? new FixedTokenCredentialFactory(appId, options.outboundToken)
      : undefined;
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(settings, credentials));
  const allow = options.allowServiceUrl ?? (() => true);
  const audience = (endpoints ?? publicCloud).oauthScope;

  function checkServiceUrl(url: string): void {
    if (!allow(url)) {
      throw new TeamsApiError("this service URL may not be called", {
        status: 403,
        code: "ServiceUrlRefused",
      });
    }
  }

  /** Runs `work` with a connector client for `reference`'s service URL, without the SDK's retries. */
  async function withConnector<T>(reference: TeamsReference, work: (client: ConnectorLike) => Promise<T>) {
    checkServiceUrl(reference.serviceUrl);
    let result: { value: T } | undefined;
    try {
      await adapter.continueConversationAsync(appId, referenceOf(reference), audience, async (context) => {
        const client = context.turnState.get(context.adapter.ConnectorClientKey) as ConnectorLike;
        client.client?.pipeline?.removePolicy({ name: "defaultRetryPolicy" });
        result = { value: await work(client) };
      });
    } catch (error) {
      throw teamsApiErrorOf(error);
    }
    if (!result) throw new TeamsApiError("the connector call did not run", {});
    return result.value;
  }

  function turnOf(context: TurnContext): TeamsTurn {
    return {
      activity: context.activity as unknown as TeamsActivity,
      async reply(activity) {
        const sent = await context.sendActivity(activity);
        return sent?.id ? { id: sent.id } : {};
      },
      async update(activityId, activity) {
        await context.updateActivity({ ...activity, id: activityId });
      },
      respond(response) {
        // What `sendActivity({ type: "invokeResponse" })` stores, without its async round trip.
        context.turnState.set(INVOKE_RESPONSE_KEY, { type: ActivityTypes.InvokeResponse, value: response });
      },
    };
  }

  return {
    authenticated: appId !== "",

    process(request: TeamsRequest, turn): Promise<TeamsProcessed> {
      let turnRan = false;
      return new Promise<TeamsProcessed>((resolve, reject) => {
        let status = 200;
        let body: unknown;
        const headers: Record<string, string> = {};
        // The response object botbuilder writes to (status, header, send, end), reference §B5.
        const res = {
          socket: undefined,
          status(code: number) {
            status = code;
            return res;
          },
          header(name: string, value: unknown) {
            headers[name.toLowerCase()] = String(value);
            return res;
          },
          send(payload: unknown) {
            body = payload;
            return res;
          },
          end() {
            resolve({ status, body, headers, turnRan });
            return res;
          },
        };
        const req = { method: request.method, headers: { ...request.headers }, body: request.body };
        adapter
          .process(req, res, async (context) => {
            turnRan = true;
            await turn(turnOf(context));
          })
          .catch(reject);
      });
    },

    async post(reference, activity) {
      return withConnector(reference, async (client) => {
        const sent = await client.conversations.sendToConversation(reference.conversation.id, {
          ...activity,
          channelId: reference.channelId,
          serviceUrl: reference.serviceUrl,
          conversation: reference.conversation,
          from: reference.bot,
          ...(reference.user ? { recipient: reference.user } : {}),
        });
        return sent?.id ? { id: sent.id } : {};
      });
    },

    async openPersonalChat(input) {
      const place: TeamsReference = {
        channelId: "msteams",
        serviceUrl: input.serviceUrl,
        conversation: { id: "-" },
        bot: { id: input.botId },
      };
      const created = await withConnector(place, (client) =>
        client.conversations.createConversation({
          isGroup: false,
          bot: { id: input.botId },
          members: [{ id: input.userId }],
          ...(input.tenantId
            ? { tenantId: input.tenantId, channelData: { tenant: { id: input.tenantId } } }
            : {}),
        }),
      );
      if (!created?.id) throw new TeamsApiError("Teams opened no conversation", { status: 502 });
      return {
        channelId: "msteams",
        serviceUrl: input.serviceUrl,
        conversation: {
          id: created.id,
          conversationType: "personal",
          isGroup: false,
          ...(input.tenantId ? { tenantId: input.tenantId } : {}),
        },
        bot: { id: input.botId },
        user: { id: input.userId },
      };
    },
  };
}
