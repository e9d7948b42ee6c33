#!/usr/bin/env node
/** The `statpress` executable: the only place that touches process output and exit status. */
import { runCli } from './cli/main.js';
import { say } from './cli/messages.js';
import { stopped } from './platform/shutdown.js';

// A reader that stops early (`statpress diff … | head`) closes the pipe: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

// Ctrl+C, SIGTERM and a closed terminal stop the build cleanly: Chromium is closed and its
// profile removed, a half-written output folder removed, and the previous release left as it was.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void stopped(signal, (status) => {
      process.stderr.write(say.stopped(signal));
      process.exit(status);
    }).finally(() => {
      stopping = false;
    });
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
