#!/usr/bin/env node
// The `baton` command: runs the TypeScript CLI through tsx, so `npx baton` needs no build step.
import { register } from "tsx/esm/api";

register();
await import("../adapters/cli/main.ts");
