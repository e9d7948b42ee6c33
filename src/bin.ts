#!/usr/bin/env node
/** The `statpress` executable: the only place that touches process output and exit status. */
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
