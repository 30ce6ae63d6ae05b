/**
 * DingTalk as a tester needs it (shared/reference/lark-dingtalk.md §B6): robot callbacks signed
 * with `timestamp` / `sign` headers, and the body shape of the app robot's HTTP mode.
 */

import { dingtalkSign } from "../../adapters/dingtalk/verify.ts";
import type { RawRequest } from "../../adapters/shared/surface.ts";

export const testAppSecret = "gV3mX8qZ1wR6tY4uI9oP2aS7dF5gH0jK3lZ8xC1vB6nM4qW7eR2tY9u";
export const testCorpId = "ding8f2c6a4e1b3d5f70";
export const testRobotCode = "dingq2w3e4r5t6y7u8i9";

/** A callback to `POST /webhooks/dingtalk` signed like DingTalk signs it (at `now`, or `timestamp`). */
export function signedDingTalkRequest(options: {
  body: unknown;
  now: Date;
  secret?: string;
  timestamp?: number;
}): RawRequest {
  const timestamp = String(options.timestamp ?? options.now.getTime());
  return {
    method: "POST",
    url: "https://baton.example.com/webhooks/dingtalk",
    headers: {
      "content-type": "application/json; charset=utf-8",
      timestamp,
      sign: dingtalkSign(options.secret ?? testAppSecret, timestamp),
    },
    body: typeof options.body === "string" ? options.body : JSON.stringify(options.body),
  };
}

/** A text message to the robot as DingTalk's HTTP mode sends it. */
export function robotMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    conversationId: "cidp4Tr8gW3kZ5yQ1mN9xL2vA==",
    atUsers: [{ dingtalkId: "$:LWCP_v1:$Q9aK3mF7xR2bT8vN5cW1yZ==" }],
    chatbotCorpId: testCorpId,
    chatbotUserId: "$:LWCP_v1:$Q9aK3mF7xR2bT8vN5cW1yZ==",
    msgId: "msgY7bK2mX9qR4tZ1vN8wC3pL6sA==",
    senderNick: "王强",
    isAdmin: false,
    senderStaffId: "E1101",
    sessionWebhookExpiredTime: 1772418900000,
    createAt: 1772413500000,
    senderCorpId: testCorpId,
    conversationType: "1",
    senderId: "$:LWCP_v1:$h8Kd2Lq9Zx4Rm7Tp1Wv6Ns==",
    sessionWebhook: "https://oapi.dingtalk.com/robot/sendBySession?session=c5e9f2a1b7d34c8e9f6a2b1c3d4e5f6a",
    text: { content: "我要离职" },
    robotCode: testRobotCode,
    msgtype: "text",
    ...overrides,
  };
}
