import { Actions, Card, type CardNode, Fields, LinkButton, Submit, Text, TextInput } from "../model.ts";
import { type CardContext, field } from "./context.ts";

export type AgreementToSignData = {
  requestId: string;
  title: string;
  version: string | number;
  sha256: string;
  dueDate?: string;
  /** The web page with the full text. */
  textUrl: string;
};

/** A signature request: title, hash, a link to the full text, the typed name and a confirmed sign. */
export function agreementToSign(data: AgreementToSignData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  const params = { title: data.title, version: data.version };
  return Card({ title: t(locale, "card.agreement.title", params), tone: "info" }, [
    Text(t(locale, "card.agreement.body")),
    Fields([
      field(ctx, "card.field.agreement", data.title),
      field(ctx, "card.field.version", data.version),
      field(ctx, "card.field.hash", data.sha256),
      field(ctx, "card.field.due_date", data.dueDate),
    ]),
    Actions([LinkButton(t(locale, "card.agreement.read"), data.textUrl)]),
    TextInput("fullName", t(locale, "card.agreement.full_name"), { required: true }),
    Submit(t(locale, "card.agreement.sign"), "agreement.sign", {
      value: data.requestId,
      confirm: {
        title: t(locale, "card.agreement.confirm_title"),
        text: t(locale, "card.agreement.confirm_text", params),
        confirm: t(locale, "card.agreement.sign"),
        deny: t(locale, "card.cancel"),
      },
    }),
  ]);
}

export type SignatureReceiptData = {
  title: string;
  version: string | number;
  sha256: string;
  signedAt: string;
  verifyUrl?: string;
};

/** Confirms a signature with its time and fingerprint, and where to verify it. */
export function signatureReceipt(data: SignatureReceiptData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  return Card({ title: t(locale, "card.signature_receipt.title", { title: data.title }), tone: "success" }, [
    Text(t(locale, "card.signature_receipt.body", { signedAt: data.signedAt })),
    Fields([
      field(ctx, "card.field.version", data.version),
      field(ctx, "card.field.hash", data.sha256),
      field(ctx, "card.field.signed_at", data.signedAt),
    ]),
    data.verifyUrl !== undefined &&
      Actions([LinkButton(t(locale, "card.certificate.verify"), data.verifyUrl)]),
  ]);
}
