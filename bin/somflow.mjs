#!/usr/bin/env node
// The `somflow` bin: registers tsx so the TypeScript sources run as they are (the cache keys
// hash those same sources), then hands over to the CLI.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
const code = await main(process.argv.slice(2));
// An interrupted run has written its record; a step still computing in the background must not keep the process alive.
if (code === 130) process.exit(code);
process.exitCode = code;
