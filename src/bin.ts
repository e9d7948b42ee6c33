#!/usr/bin/env node
/** The `statpress` executable: the only place that touches process output and exit status. */
import { runCli } from './cli/main.js';

// A reader that stops early (`statpress diff … | head`) closes the pipe: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
