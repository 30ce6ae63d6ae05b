import { isObject, mediaType } from "../shared/json.ts";
import type { RawRequest } from "../shared/surface.ts";

/** A web chat request body: a posted form, JSON (from the page's script), or something else. */
export type DecodedBody =
  | { kind: "form"; params: URLSearchParams }
  | { kind: "json"; value: Record<string, unknown> }
  | { kind: "invalid"; reason: string };

/** Reads the body by its content type; never throws. */
export function decodeBody(request: RawRequest): DecodedBody {
  const type = mediaType(request);
  if (type === "application/x-www-form-urlencoded") {
    return { kind: "form", params: new URLSearchParams(request.body) };
  }
  if (type === "application/json") {
    try {
      const value: unknown = JSON.parse(request.body);
      if (isObject(value)) return { kind: "json", value };
      return { kind: "invalid", reason: "the JSON body is not an object" };
    } catch {
      return { kind: "invalid", reason: "the body is not valid JSON" };
    }
  }
  return { kind: "invalid", reason: `unsupported content type ${type || "(none)"}` };
}

/** One text field of the body (the first, for a form), or undefined. */
export function textField(body: DecodedBody, name: string): string | undefined {
  if (body.kind === "form") return body.params.get(name) ?? undefined;
  if (body.kind === "json") {
    const value = body.value[name];
    return typeof value === "string" ? value : undefined;
  }
  return undefined;
}
