import { beforeEach, describe, expect, it } from "vitest";
import type { ParseResult, RawRequest } from "../../adapters/shared/surface.ts";

/**
 * The contract every chat surface keeps (DESIGN §7), written once and run by each surface with
 * its own target (test/contracts/<surface>.db.test.ts):
 *
 * - a validly signed event is acted on (200, and an effect);
 * - a forged or badly signed request gets 401 (403 where the surface says "signed, but not
 *   allowed", like the web's CSRF and origin checks) and has no effect;
 * - a stale request (outside the window, for surfaces that sign a time) gets 401 and no effect;
 * - a validly signed redelivery gets 200 and nothing is done twice;
 * - the platform's handshake is answered (for surfaces that have one);
 * - every recorded payload in test/fixtures/<surface>/ parses;
 * - an event of a type the surface does not handle gets 200 and is ignored.
 */

/** A request to the app, as the platform (or the browser) would send it. */
export type ContractRequest = {
  method?: string;
  path: string;
  headers: Record<string, string>;
  body: string;
};

export type ContractFixture = {
  name: string;
  request: RawRequest;
  /** What it must parse to (default `events`). */
  expect?: ParseResult<unknown>["kind"];
};

export type SurfaceContractTarget = {
  surface: string;
  /** Runs before each test: a fresh database and app, a person who may use the surface. */
  setup(): Promise<void>;
  /** Sends a request through the whole HTTP app. */
  send(request: ContractRequest): Promise<Response>;
  /**
   * A validly signed event that has an effect. `id` is the platform's event id / idempotency key:
   * the same `id` again is a redelivery; without one, a new event each call.
   */
  valid(id?: string): Promise<ContractRequest>;
  /** Forged or badly signed variants of a valid event, each with the status it must get. */
  forged(): Promise<{ name: string; request: ContractRequest; status: 401 | 403 }[]>;
  /** A correctly signed request outside the time window (only surfaces that sign a time). */
  stale?(): Promise<ContractRequest>;
  /** The platform's handshake and a check of the answer (only surfaces that have one). */
  handshake?(): Promise<{ request: ContractRequest; check(response: Response): Promise<void> | void }>;
  /** A validly signed event of a type the surface does not handle. */
  unknownEvent(): Promise<ContractRequest>;
  /** The recorded payloads of test/fixtures/<surface>/. */
  fixtures(): Promise<ContractFixture[]>;
  /** The surface's parse (after verification; the target supplies what its parse needs). */
  parse(request: RawRequest): ParseResult<unknown> | Promise<ParseResult<unknown>>;
  /** How many effects the surface's events have had so far (bot calls, stored messages, inbox rows …). */
  effects(): Promise<number>;
};

async function status(response: Response): Promise<{ status: number; text: string }> {
  return { status: response.status, text: await response.text() };
}

/** Defines the contract's tests for one surface. */
export function runSurfaceContract(target: SurfaceContractTarget): void {
  describe(`${target.surface} surface contract`, () => {
    beforeEach(async () => {
      await target.setup();
    });

    it("acts on a validly signed event", async () => {
      const before = await target.effects();
      const answer = await status(await target.send(await target.valid()));
      expect(answer.status, answer.text).toBe(200);
      expect(await target.effects()).toBeGreaterThan(before);
    });

    it("refuses forged requests with 401/403 and no effect", async () => {
      const forged = await target.forged();
      expect(forged.length).toBeGreaterThan(0);
      const before = await target.effects();
      for (const { name, request, status: expected } of forged) {
        const answer = await status(await target.send(request));
        expect(answer.status, `${name}: ${answer.text}`).toBe(expected);
      }
      expect(await target.effects()).toBe(before);
    });

    it.runIf(target.stale !== undefined)("refuses a stale request with 401 and no effect", async () => {
      const before = await target.effects();
      const answer = await status(
        await target.send(await (target.stale as () => Promise<ContractRequest>)()),
      );
      expect(answer.status, answer.text).toBe(401);
      expect(await target.effects()).toBe(before);
    });

    it("answers a validly signed redelivery 200 with no second effect", async () => {
      const id = `redelivery-${Math.random().toString(36).slice(2)}`;
      const first = await status(await target.send(await target.valid(id)));
      expect(first.status, first.text).toBe(200);
      const afterFirst = await target.effects();
      const again = await status(await target.send(await target.valid(id)));
      expect(again.status, again.text).toBe(200);
      expect(await target.effects()).toBe(afterFirst);
    });

    it.runIf(target.handshake !== undefined)("answers the platform's handshake", async () => {
      const handshake = await (target.handshake as NonNullable<SurfaceContractTarget["handshake"]>)();
      const before = await target.effects();
      await handshake.check(await target.send(handshake.request));
      expect(await target.effects()).toBe(before);
    });

    it("parses every recorded fixture", async () => {
      const fixtures = await target.fixtures();
      expect(fixtures.length).toBeGreaterThan(0);
      for (const fixture of fixtures) {
        const result = await target.parse(fixture.request);
        expect(result.kind, fixture.name).toBe(fixture.expect ?? "events");
        if (result.kind === "events") expect(result.events.length, fixture.name).toBeGreaterThan(0);
      }
    });

    it("answers an unknown event 200 and ignores it", async () => {
      const before = await target.effects();
      const answer = await status(await target.send(await target.unknownEvent()));
      expect(answer.status, answer.text).toBe(200);
      expect(await target.effects()).toBe(before);
    });
  });
}
