export * from "./access.ts";
export * from "./directory.ts";
export * from "./evidence.ts";
export * from "./system.ts";
