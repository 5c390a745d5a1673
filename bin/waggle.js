#!/usr/bin/env node
// The compiled CLI lives in dist/ (npm run build).
import { runCli } from '../dist/src/cli/waggle-cli.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`waggle: ${error && error.stack ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
