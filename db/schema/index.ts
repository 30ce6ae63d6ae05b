export * from "./access.ts";
export * from "./system.ts";
