import type { Locale } from "../../../core/messages/index.ts";
import type { Db } from "../../../db/client.ts";

export type LinkActionContext = {
  tx: Db;
  principal: string;
  data: Record<string, unknown>;
  locale: Locale;
  now: Date;
  jti: string;
};

export type LinkActionOutcome = {
  title: string;
  body: string;
  /** A same-site path to go to afterwards. */
  redirect?: string;
  /** Open a cookie session for the link's principal (login links). */
  startSession?: boolean;
};

/** What a signed link does when its POST is made. GET only shows `describe`. */
export type LinkAction = {
  purpose: string;
  /**
   * When true the POST must come from a signed-in session of the link's own principal (with its
   * CSRF token), so a forwarded link cannot act in that person's name.
   */
  requiresSession: boolean;
  describe(input: { principal: string; data: Record<string, unknown>; locale: Locale }): {
    title: string;
    body: string;
    confirm: string;
  };
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
