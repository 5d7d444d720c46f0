#!/usr/bin/env node
// The `somflow` bin: runs the compiled CLI in dist/<stamp>/ (bin/build.mjs). When the sources
// differ from every build (a researcher edited a step), it rebuilds first — it never runs
// code older than the sources whose hashes make the cache keys.
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { currentBuild, ensureBuild, sourceStamp } from "./build.mjs";

const stamp = sourceStamp();
let dir = currentBuild(stamp);
if (!dir) {
  try {
    dir = await ensureBuild(stamp);
  } catch (e) {
    console.error(
      `somflow: the sources changed and the rebuild failed (${e.message}); run \`node bin/build.mjs\` (or \`npm run build\`) in ${join(import.meta.dirname, "..")}`,
    );
    process.exit(2);
  }
}
const { main } = await import(pathToFileURL(join(dir, "cli/main.js")).href);
const code = await main(process.argv.slice(2));
// An interrupted run has written its record; a step still computing in the background must not keep the process alive.
if (code === 130) process.exit(code);
process.exitCode = code;
