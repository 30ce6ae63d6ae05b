import { describe, expect, it } from "vitest";
import { commandRequest, eventRequest, interactionRequest } from "../../test/fakes/slack.ts";
import { boltBody, FetchReceiver, type SlackListener, slackBoltApp } from "./receiver.ts";

const silent = { debug() {}, warn() {}, error() {} };
const now = new Date("2026-03-02T02:00:00Z");

function app(listener: SlackListener, ackTimeoutMs?: number) {
  const receiver = new FetchReceiver(ackTimeoutMs === undefined ? {} : { ackTimeoutMs });
  slackBoltApp({ token: "xoxb-unit", receiver, listener, logger: silent, apiUrl: "http://127.0.0.1:9/api/" });
  return receiver;
}

const command = boltBody(
  commandRequest({ command: "/baton", text: "help", user_id: "U1", channel_id: "D1", team_id: "T1" }, now),
);

describe("our Bolt receiver", () => {
  it("answers with what the listener acks, and keeps processing after the answer", async () => {
    let finished = false;
    const receiver = app(async ({ ack }) => {
      await ack?.({ response_type: "ephemeral", text: "hi" });
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished = true;
    });
    const { response, processing } = receiver.dispatch(command, { customProperties: { baton: 1 } });
    expect(await response).toEqual({ status: 200, body: { response_type: "ephemeral", text: "hi" } });
    expect(finished).toBe(false);
    await processing;
    expect(finished).toBe(true);
  });

  it("passes our context through, refuses a second ack, and answers 404 without one", async () => {
    const seen: unknown[] = [];
    let second: unknown;
    const receiver = app(async ({ ack, context }) => {
      seen.push(context.baton);
      await ack?.("");
      second = await ack?.().catch((error: Error) => error.constructor.name);
    });
    const { response, processing } = receiver.dispatch(command, { customProperties: { baton: "job" } });
    expect(await response).toEqual({ status: 200 });
    await processing;
    expect(seen).toEqual(["job"]);
    expect(second).toBe("ReceiverMultipleAckError");

    const silentListener = app(async () => {});
    expect(await silentListener.dispatch(command).response).toEqual({ status: 404 });
    const slow = app(() => new Promise((resolve) => setTimeout(resolve, 200)), 20);
    expect(await slow.dispatch(command).response).toEqual({ status: 404 });
  });

  it("acks Events API payloads itself, before the listener runs", async () => {
    let acked: unknown;
    const receiver = app(async ({ ack }) => {
      acked = ack;
    });
    const body = boltBody(
      eventRequest(
        {
          type: "event_callback",
          team_id: "T1",
          event_id: "Ev1",
          event: { type: "message", channel_type: "im", channel: "D1", user: "U1", text: "hi", ts: "1.1" },
        },
        now,
      ),
    );
    const { response, processing } = receiver.dispatch(body);
    expect(await response).toEqual({ status: 200 });
    await processing;
    expect(acked).toBeUndefined();
  });

  it("reads every body kind as Bolt expects it", () => {
    expect(boltBody(interactionRequest({ type: "block_actions", actions: [] }, now))).toEqual({
      type: "block_actions",
      actions: [],
    });
    expect(command).toMatchObject({ command: "/baton", text: "help" });
  });
});
