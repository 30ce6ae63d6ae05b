import type { HtmlEscapedString } from "hono/utils/html";
import type { Locale } from "../../../core/messages/index.ts";
import type { Db } from "../../../db/client.ts";

export type LinkActionContext = {
  tx: Db;
  principal: string;
  data: Record<string, unknown>;
  locale: Locale;
  now: Date;
  jti: string;
  /** The form fields posted with the link (text fields only, never `_csrf`). */
  form: Record<string, string>;
  /** Where the POST came from: the client IP (through trusted proxies only) and user agent. */
  request: { ip?: string; userAgent?: string; sessionIdHash?: string };
};

/** A text input the link's page asks for (e.g. the typed full name when signing). */
export type LinkField = { name: string; label: string; autocomplete?: string };

/** What a link's GET page shows. `content` is extra HTML (escaped by the action), `fields` are form inputs. */
export type LinkDescription = {
  title: string;
  body: string;
  confirm: string;
  content?: HtmlEscapedString | Promise<HtmlEscapedString>;
  fields?: LinkField[];
  /** Inputs placed inside the form (escaped by the action), e.g. a quiz's radio buttons; posted in `form`. */
  formContent?: HtmlEscapedString | Promise<HtmlEscapedString>;
};

export type LinkActionOutcome = {
  title: string;
  body: string;
  /** A same-site path to go to afterwards. */
  redirect?: string;
  /** Open a cookie session for the link's principal (login links). */
  startSession?: boolean;
  /** Extra HTML for the result page (escaped by the action), e.g. a download of what was signed. */
  content?: HtmlEscapedString | Promise<HtmlEscapedString>;
  /**
   * Work that must not run inside the link's transaction (it uses the database on its own, like
   * the chat bot): run once the link is marked used and committed; what it returns replaces the
   * fields of this outcome.
   */
  afterCommit?: () => Promise<Partial<Omit<LinkActionOutcome, "afterCommit" | "startSession">>>;
};

/** What a signed link does when its POST is made. GET only shows `describe`. */
export type LinkAction = {
  purpose: string;
  /**
   * When true the POST must come from a signed-in session of the link's own principal (with its
   * CSRF token), so a forwarded link cannot act in that person's name.
   */
  requiresSession: boolean;
  /** May read the database (`db`) and throw an AppError when the link no longer makes sense. */
  describe(input: {
    principal: string;
    data: Record<string, unknown>;
    locale: Locale;
    db: Db;
  }): LinkDescription | Promise<LinkDescription>;
  /** Runs inside the transaction that marks the link used; throwing rolls both back. */
  perform(context: LinkActionContext): Promise<LinkActionOutcome>;
};

export type LinkActionRegistry = {
  register(action: LinkAction): void;
  get(purpose: string): LinkAction | undefined;
  purposes(): string[];
};

export function createLinkActionRegistry(initial: readonly LinkAction[] = []): LinkActionRegistry {
  const actions = new Map<string, LinkAction>();
  const registry: LinkActionRegistry = {
    register(action) {
      if (actions.has(action.purpose)) throw new Error(`link action ${action.purpose} is already registered`);
      actions.set(action.purpose, action);
    },
    get: (purpose) => actions.get(purpose),
    purposes: () => [...actions.keys()].sort(),
  };
  for (const action of initial) registry.register(action);
  return registry;
}

/** Only same-site absolute paths are followed after a link acts, never another host. */
export function safeRedirectPath(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\") || value.length > 512) {
    return undefined;
  }
  return [...value].some((ch) => ch.charCodeAt(0) < 0x20) ? undefined : value;
}
