/**
 * Stage events a long-running job (a build, a check, a preview rebuild) reports as it goes.
 * The pipeline emits them; whoever started the job decides what, if anything, to show.
 */

/** One stage of the pipeline starting or ending, e.g. `{ stage: 'charts', phase: 'start' }`. */
export interface ProgressEvent {
  stage: string;
  phase: 'start' | 'end';
}

/** Receives stage events; must be cheap and must not throw. */
export type ProgressSink = (event: ProgressEvent) => void;

/** Prefix of the performance measures `markSpan` records (the CLI's `--profile` reads them). */
export const SPAN_PREFIX = 'statpress:';

let recording = false;

/** Turns `markSpan` on (the profiler does, once); off, it records nothing, so a preview left running keeps no timeline. */
export function recordSpans(): void {
  recording = true;
}

/**
 * Records a step that is not a pipeline stage (Chromium's launch, a draft print) on Node's
 * performance timeline, for `--profile` and `--trace`, when they are on.
 */
export function markSpan(name: string, start: number, end: number = performance.now()): void {
  if (recording) performance.measure(`${SPAN_PREFIX}${name}`, { start, end });
}
