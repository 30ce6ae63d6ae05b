import { describe, expect, it } from "vitest";
import {
  Actions,
  Button,
  Card,
  Fields,
  LinkButton,
  Markdown,
  Submit,
  Text,
  TextInput,
} from "../../cards/model.ts";
import { mailableCard, renderCardEmail } from "./card.ts";

const publicUrl = "https://baton.example.com";

describe("cards as e-mail", () => {
  it("keeps text, fields and safe links; drops what only acts in a chat", () => {
    const card = Card({ title: "Title <b>", tone: "info" }, [
      Text("Plain <script>alert(1)</script>"),
      Markdown("**Bold** and [a link](https://x.example)"),
      Fields([{ label: "Case", value: "C-1 & co" }]),
      Actions([
        LinkButton("Open", "/a/abc"),
        LinkButton("Bad", "javascript:alert(1)"),
        Button("Approve", "step.done", { value: "case:1" }),
      ]),
      TextInput("reason", "Reason"),
      Submit("Send", "notice.submit"),
    ]);
    const { card: mailable, interactive } = mailableCard(card, publicUrl);
    expect(interactive).toBe(true);
    expect(mailable.children.map((b) => b.type)).toEqual(["text", "text", "fields", "actions"]);
    const links = mailable.children.find((b) => b.type === "actions");
    expect(links).toEqual({
      type: "actions",
      elements: [{ type: "link-button", label: "Open", url: "https://baton.example.com/a/abc" }],
    });
  });

  it("renders a notification's card in the person's language, escaped, with a note when actions were left out", () => {
    const data = {
      caseId: "C-1",
      step: "handover",
      employee: "E1",
      dueDate: "2026-03-27",
      reason: "late <x>",
    };
    const en = renderCardEmail({ kind: "step.reminder", data, locale: "en", name: "Lin <Wei>", publicUrl });
    expect(en.subject).toMatch(/^Baton: /);
    expect(en.text).toContain("Hello Lin <Wei>,");
    expect(en.text).toContain("late <x>");
    expect(en.html).toContain("late &lt;x&gt;");
    expect(en.html).toContain("Lin &lt;Wei&gt;");
    expect(en.html).not.toContain("<Wei>");
    // The reminder card's buttons act in chat only: the mail says whom to ask instead.
    expect(en.text).toContain("contact HR");
    expect(en.html).not.toContain("<button");
    const zh = renderCardEmail({
      kind: "certificate.revoked",
      data: { caseId: "C-1", certificateId: "CERT-7", reason: "wrong position" },
      locale: "zh-CN",
      name: "王芳",
      publicUrl,
      intro: "intro line",
    });
    expect(zh.text).toContain("王芳，您好");
    expect(zh.text).toContain("intro line");
    expect(zh.html).toContain('lang="zh-CN"');
  });

  it("shows a card's link buttons as links in both parts", () => {
    const data = {
      caseId: "C-1",
      certificateId: "CERT-7",
      version: 1,
      issueDate: "2026-04-01",
      verifyUrl: "/verify/v1",
      downloadUrl: "https://baton.example.com/a/tok",
    };
    const mail = renderCardEmail({ kind: "certificate.issued", data, locale: "en", name: "Lin", publicUrl });
    expect(mail.html).toContain('href="https://baton.example.com/a/tok"');
    expect(mail.text).toContain("https://baton.example.com/a/tok");
  });
});
