import { translate } from "../../../core/messages/index.ts";
import { type LinkAction, safeRedirectPath } from "./actions.ts";

/** A login link: its POST opens a cookie session for the principal it was made for. */
export const loginAction: LinkAction = {
  purpose: "login",
  requiresSession: false,
  describe: ({ locale }) => ({
    title: translate(locale, "login.title"),
    body: translate(locale, "login.body"),
    confirm: translate(locale, "login.button"),
  }),
  async perform({ data, locale }) {
    const redirect = safeRedirectPath(data.next);
    return {
      title: translate(locale, "login.done"),
      body: "",
      startSession: true,
      ...(redirect ? { redirect } : {}),
    };
  },
};
