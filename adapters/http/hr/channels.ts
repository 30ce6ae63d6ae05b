import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { z } from "zod";
import { AppError } from "../../../core/errors.ts";
import { channelPlatforms, channelPurposes, mayBindChannels } from "../../../core/notifications/channels.ts";
import { bindChannel, listChannels, unbindChannel } from "../../../db/channels.ts";
import type { Db } from "../../../db/client.ts";
import { listEntities } from "../../../db/repositories/directory.ts";
import { bindBody } from "../routes/channels.ts";
import { namesOf } from "./data.ts";
import { optional, parseForm, runFormAction } from "./forms.ts";
import type { HrEnv } from "./guard.ts";
import { whoName } from "./labels.ts";
import { consolePage, csrfField, type Flash, formatInstant, type PageStatus, translator } from "./layout.ts";

type C = Context<HrEnv>;

const idPattern = /^[0-9a-f-]{36}$/;
const unbindForm = z.object({ reason: z.string().trim().min(1).max(2000) }).strict();

async function render(c: C, flash: Flash, status: PageStatus = 200) {
  const ctx = c.get("hr");
  const { locale } = ctx;
  const t = translator(locale);
  const db = c.get("services").database.db;
  const [channels, entities] = await Promise.all([listChannels(db), listEntities(db)]);
  const names = await namesOf(
    db,
    channels.map((ch) => ch.boundBy),
  );
  const entityName = (id: string | null) =>
    id === null ? t("hr.channels.all_entities") : `${entities.find((e) => e.id === id)?.name ?? ""} (${id})`;
  const list = channels.length
    ? html`<table class="cards"><thead><tr><th>${t("hr.channels.platform")}</th><th>${t("hr.channels.channel")}</th><th>${t("hr.channels.purpose")}</th><th>${t("hr.col.entity")}</th><th>${t("hr.channels.bound")}</th><th>${t("hr.channels.unbind")}</th></tr></thead><tbody>${channels.map(
        (ch) => html`<tr>
<td data-label="${t("hr.channels.platform")}">${ch.platform}</td>
<td data-label="${t("hr.channels.channel")}" class="wrap">${ch.name ? html`${ch.name}<br>` : ""}<code>${ch.channelId}</code></td>
<td data-label="${t("hr.channels.purpose")}">${t(ch.purpose === "hr" ? "hr.channels.purpose_hr" : "hr.channels.purpose_finance")}</td>
<td data-label="${t("hr.col.entity")}">${entityName(ch.entityId)}</td>
<td data-label="${t("hr.channels.bound")}">${formatInstant(ctx, ch.boundAt)} · ${whoName(locale, names, ch.boundBy)}</td>
<td data-label="${t("hr.channels.unbind")}"><form method="post" action="/hr/channels/${ch.id}/unbind">${csrfField(ctx)}
<label>${t("hr.form.reason")}<input name="reason" required maxlength="2000"></label>
<button type="submit" class="danger">${t("hr.channels.unbind")}</button></form></td>
</tr>`,
      )}</tbody></table>`
    : html`<p class="panel">${t("hr.channels.none")}</p>`;
  const bind = html`<form method="post" action="/hr/channels" class="panel" id="bind">${csrfField(ctx)}
<h2>${t("hr.channels.bind_title")}</h2>
<p class="muted">${t("hr.channels.bind_help")}</p>
<div class="filters">
<div><label for="platform">${t("hr.channels.platform")}</label><select id="platform" name="platform">${channelPlatforms.map(
    (p) => html`<option value="${p}">${p}</option>`,
  )}</select></div>
<div><label for="channelId">${t("hr.channels.channel_id")}</label><input id="channelId" name="channelId" required maxlength="256"></div>
<div><label for="purpose">${t("hr.channels.purpose")}</label><select id="purpose" name="purpose">${channelPurposes.map(
    (p) =>
      html`<option value="${p}">${t(p === "hr" ? "hr.channels.purpose_hr" : "hr.channels.purpose_finance")}</option>`,
  )}</select></div>
<div><label for="entityId">${t("hr.col.entity")}</label><select id="entityId" name="entityId"><option value="">${t("hr.channels.all_entities")}</option>${entities.map(
    (e) => html`<option value="${e.id}">${e.name} (${e.id})</option>`,
  )}</select></div>
<div><label for="name">${t("hr.channels.name")}</label><input id="name" name="name" maxlength="200"></div>
<div><button type="submit">${t("hr.channels.bind")}</button></div>
</div></form>`;
  return c.html(
    consolePage(ctx, {
      section: "channels",
      title: t("hr.channels.title"),
      flash,
      body: html`<h1>${t("hr.channels.title")}</h1>${list}${bind}`,
    }),
    status,
  );
}

function act(c: C, run: () => Promise<"bound" | "unbound" | "unchanged">) {
  return runFormAction(
    c,
    run,
    (done) => `/hr/channels?done=${done}`,
    (flash, status) => render(c, flash, status),
  );
}

/** Bound HR and finance group channels: list, bind, unbind with a reason. */
export function registerChannelConsole(hr: Hono<HrEnv>): void {
  hr.get("/channels", async (c) => {
    const t = translator(c.get("hr").locale);
    const done = c.req.query("done");
    const text =
      done === "bound"
        ? t("hr.done.channel_bound")
        : done === "unbound"
          ? t("hr.done.channel_unbound")
          : done === "unchanged"
            ? t("hr.done.unchanged")
            : undefined;
    return render(c, text ? { ok: true, text } : undefined);
  });

  hr.post("/channels", (c) =>
    act(c, async () => {
      const form = c.get("form");
      const body = parseForm(bindBody, {
        platform: form.platform ?? "",
        channelId: form.channelId?.trim() ?? "",
        purpose: form.purpose ?? "",
        ...(optional(form.entityId) ? { entityId: optional(form.entityId) } : {}),
        ...(optional(form.name) ? { name: optional(form.name) } : {}),
      });
      const ctx = c.get("hr");
      if (!mayBindChannels({ principal: ctx.principal, functions: ctx.functions })) {
        throw new AppError("forbidden", "Only HR binds and unbinds group channels.", {
          messageKey: "channels.hr_only",
        });
      }
      const { database, clock } = c.get("services");
      const result = await database.db.transaction((tx) =>
        bindChannel(tx as unknown as Db, { ...body, actor: ctx.principal, at: clock.now() }),
      );
      return result.created ? "bound" : "unchanged";
    }),
  );

  hr.post("/channels/:id/unbind", (c) =>
    act(c, async () => {
      const id = c.req.param("id");
      if (!idPattern.test(id)) {
        throw new AppError("not_found", "No bound channel has this id.", {
          messageKey: "channels.not_found",
        });
      }
      const { reason } = parseForm(unbindForm, { reason: c.get("form").reason ?? "" });
      const ctx = c.get("hr");
      if (!mayBindChannels({ principal: ctx.principal, functions: ctx.functions })) {
        throw new AppError("forbidden", "Only HR binds and unbinds group channels.", {
          messageKey: "channels.hr_only",
        });
      }
      const { database, clock } = c.get("services");
      await database.db.transaction((tx) =>
        unbindChannel(tx as unknown as Db, { id, actor: ctx.principal, at: clock.now(), reason }),
      );
      return "unbound";
    }),
  );
}
