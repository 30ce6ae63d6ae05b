import { it, expect } from "vitest";
import { createBotFrameworkGateway, publicCloud } from "./bot-framework.ts";
import { startFakeBotConnector, channelIssuer } from "../../test/fakes/bot-connector.ts";
import { activity } from "../../test/fakes/teams.ts";

it("scratch", async () => {
  const appId = "1f2e3d4c-0000-4000-8000-00000000b0a7";
  const fake = await startFakeBotConnector(appId);
  const gw = createBotFrameworkGateway({ appId, appPassword: "x", tenantId: "t", outboundToken: async () => "outbound-token",
    endpoints: { ...publicCloud, openIdMetadataUrl: fake.openIdMetadataUrl, emulatorOpenIdMetadataUrl: fake.openIdMetadataUrl, tokenIssuer: channelIssuer, loginUrl: "http://127.0.0.1:1/login", oauthUrl: "http://127.0.0.1:1/oauth" } });
  const a = activity({ serviceUrl: fake.serviceUrl });
  const tok = await fake.token(a);
  const r = await gw.process({ method: "POST", headers: { authorization: `Bearer ${tok}` }, body: JSON.parse(JSON.stringify(a)) }, async (turn) => {
    await turn.reply({ type: "message", text: "hi" });
  });
  console.log("valid", r.status, r.body, r.turnRan, JSON.stringify(fake.calls));
  for (const [name, t] of [["forged", await fake.token(a, { forgedKey: true })], ["aud", await fake.token(a, { audience: "x" })], ["exp", await fake.token(a, { expiresAt: Math.floor(Date.now()/1000) - 1000, issuedAt: Math.floor(Date.now()/1000) - 2000 })], ["other", await fake.token(a, { otherChannelKey: true })], ["iss", await fake.token(a, { issuer: "https://evil" })], ["surl", await fake.token(a, { serviceUrl: "http://x/" })], ["none", ""]]) {
    const r2 = await gw.process({ method: "POST", headers: t ? { authorization: `Bearer ${t}` } : {}, body: JSON.parse(JSON.stringify(a)) }, async () => {});
    console.log(name, r2.status, r2.body, r2.turnRan);
  }
  const inv = activity({ serviceUrl: fake.serviceUrl, type: "invoke", name: "adaptiveCard/action", value: {} });
  const r3 = await gw.process({ method: "POST", headers: { authorization: `Bearer ${await fake.token(inv)}` }, body: JSON.parse(JSON.stringify(inv)) }, async (turn) => { turn.respond({ status: 200, body: { a: 1 } }); });
  console.log("invoke", r3.status, r3.body);
  const ref = { channelId: "msteams", serviceUrl: fake.serviceUrl, conversation: { id: "a:1conv" }, bot: { id: "28:" + appId }, user: { id: "29:u" } };
  console.log(await gw.post(ref, { type: "message", text: "proactive" }), JSON.stringify(fake.calls.at(-1)));
  for (const f of [{ status: 429, headers: { "retry-after": "7" }, body: { error: { code: "ThrottledRequest", message: "slow" } } }, { status: 403, body: { error: { code: "BotNotInConversationRoster", message: "no" } } }, { status: 502, body: { error: { code: "BadGateway", message: "x" } } }]) {
    fake.failNext(f);
    const t0 = Date.now();
    try { await gw.post(ref, { type: "message", text: "p" }); console.log("no error?"); } catch (e) { console.log(f.status, (e as any).name, (e as any).status, (e as any).retryAfterSeconds, (e as any).code, Date.now() - t0); }
  }
  fake.failNext({ status: 403, body: { error: { code: "Forbidden", message: "no" } } });
  try { await gw.openPersonalChat({ serviceUrl: fake.serviceUrl, tenantId: "t", botId: "28:" + appId, userId: "29:u" }); } catch (e) { console.log("create", (e as any).status, (e as any).code); }
  console.log(await gw.openPersonalChat({ serviceUrl: fake.serviceUrl, tenantId: "t", botId: "28:" + appId, userId: "29:u" }));
  await fake.close();
}, 60000);
