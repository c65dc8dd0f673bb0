#!/usr/bin/env node
// `esu-bridge` (package.json `bin`): the one CLI (cli/main.ts). In a checkout it runs the TypeScript source with
// tsx; in the image (compiled JavaScript in dist/, no source, no tsx) it runs dist/cli/main.js.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = `${root}cli/main.ts`;
let entry;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = source;
} else {
  entry = `${root}dist/cli/main.js`;
}
const { main } = await import(pathToFileURL(entry).href);
main(process.argv.slice(2));
