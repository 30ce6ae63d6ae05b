import { describe, expect, it } from "vitest";
import { PermanentDeliveryError } from "../../core/notifications/delivery.ts";
import { renderEmail } from "./render.ts";
import { deliveryErrorOf, TransientMailError } from "./send.ts";

describe("renderEmail", () => {
  it("escapes every piece of text in the HTML part and keeps only http(s) links", () => {
    const mail = renderEmail({
      kind: "certificate.issued",
      data: { downloadUrl: "javascript:alert(1)", verifyUrl: "https://x.test/verify/a?b=1&c=<2>" },
      locale: "en",
      name: "<b>Eve</b>",
      publicUrl: "https://x.test",
    });
    expect(mail.html).toContain("&lt;b&gt;Eve&lt;/b&gt;");
    expect(mail.html).not.toContain("<b>Eve</b>");
    expect(mail.html).not.toContain("javascript:");
    expect(mail.html).toContain('href="https://x.test/verify/a?b=1&amp;c=%3C2%3E"');
    expect(mail.text).toContain("Hello <b>Eve</b>,");
    expect(mail.subject).toBe("Baton: Separation certificate issued");
  });
});

describe("deliveryErrorOf", () => {
  it("maps 5xx to permanent, 4xx and connection errors to retryable, without the server's text", () => {
    const permanent = deliveryErrorOf(
      Object.assign(new Error("550 no such user a@b.c"), { responseCode: 550 }),
    );
    expect(permanent).toBeInstanceOf(PermanentDeliveryError);
    expect(permanent.message).not.toContain("a@b.c");
    expect(deliveryErrorOf(Object.assign(new Error("451"), { responseCode: 451 }))).toBeInstanceOf(
      TransientMailError,
    );
    expect(deliveryErrorOf(Object.assign(new Error("refused"), { code: "ECONNREFUSED" })).message).toContain(
      "ECONNREFUSED",
    );
  });
});
