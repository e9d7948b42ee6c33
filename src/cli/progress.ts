/**
 * Progress lines for a running build: a stage that is still running after a moment (one second
 * by default) says what it is doing, so a slow PDF print or a cold chart drawing does not look
 * like a hang, and a fast build prints nothing extra. `--quiet` turns it off.
 *
 * The pipeline reports stage events through a `ProgressSink` (src/core/progress.ts); this module
 * only decides what to print and when.
 */
import type { ProgressEvent, ProgressSink } from '../core/progress.js';
import { progressLine } from './messages.js';

export type { ProgressEvent, ProgressSink };

/** Starts a timer; the function it returns cancels it (harmless once it has fired). */
export type SetTimer = (callback: () => void, ms: number) => () => void;

export interface ProgressOptions {
  /** Print nothing at all. */
  quiet?: boolean;
  /** How long a stage runs before it is announced (default 1000 ms). */
  afterMs?: number;
  /** Clock in milliseconds (default `performance.now`); injected by tests. */
  now?: () => number;
  /** Timer (default: an unref'd `setTimeout`, so it never keeps the process alive); injected by tests. */
  setTimer?: SetTimer;
}

export type ProgressReporter = ProgressSink & {
  /** Cancels every pending timer; later events are ignored. Call when the command ends. */
  done(): void;
};

const unrefTimer: SetTimer = (callback, ms) => {
  const timer = setTimeout(callback, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

interface Running {
  started: number;
  announced: boolean;
  cancel: () => void;
}

/**
 * A sink that writes one line (without a newline) to `write` for each stage still running after
 * `afterMs`. A stage that blocks the event loop cannot be announced while it runs, as no timer
 * fires; if it took longer than `afterMs`, its line is written when it ends, with its time.
 */
export function createProgress(write: (line: string) => void, options: ProgressOptions = {}): ProgressReporter {
  const afterMs = options.afterMs ?? 1000;
  const now = options.now ?? (() => performance.now());
  const setTimer = options.setTimer ?? unrefTimer;
  const running = new Map<string, Running>();
  let finished = false;

  const sink = (event: ProgressEvent): void => {
    if (options.quiet || finished) return;
    const previous = running.get(event.stage);
    previous?.cancel();
    running.delete(event.stage);
    if (event.phase === 'start') {
      const stage: Running = { started: now(), announced: false, cancel: () => {} };
      stage.cancel = setTimer(() => {
        if (running.get(event.stage) !== stage) return;
        stage.announced = true;
        write(progressLine.running(event.stage));
      }, afterMs);
      running.set(event.stage, stage);
    } else if (previous && !previous.announced) {
      const took = now() - previous.started;
      if (took >= afterMs) write(progressLine.took(event.stage, took));
    }
  };

  return Object.assign(sink, {
    done(): void {
      finished = true;
      for (const stage of running.values()) stage.cancel();
      running.clear();
    },
  });
}
