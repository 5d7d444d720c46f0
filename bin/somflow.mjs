#!/usr/bin/env node
// The `somflow` bin: registers tsx so the TypeScript sources run as they are (the cache keys
// hash those same sources), then hands over to the CLI.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
