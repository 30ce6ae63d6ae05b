export * from "./access.ts";
export * from "./calendar.ts";
export * from "./directory.ts";
export * from "./evidence.ts";
export * from "./outbox.ts";
export * from "./signing.ts";
export * from "./system.ts";
