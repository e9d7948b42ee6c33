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
