#!/usr/bin/env node
// The `crawlnest` command: runs the compiled CLI (npm run build puts it in dist/apps/cli).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const main = join(__dirname, '..', 'dist', 'apps', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`crawlnest: ${main} is missing; run \`npm run build\` in ${join(__dirname, '..')} first\n`);
  process.exit(1);
}
require(main);
