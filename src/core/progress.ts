/** Progress of a build, stage by stage, for whoever shows it (the CLI prints slow stages). */
export interface ProgressEvent {
  stage: string;
  phase: 'start' | 'end';
}
export type ProgressSink = (event: ProgressEvent) => void;
