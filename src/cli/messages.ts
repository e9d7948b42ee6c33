/**
 * Everything the command line says to a user — help, usage errors, progress lines and the
 * summaries commands print — so the wording lives in one place. Nothing here decides
 * behaviour: `main.ts` declares the commands and options, this module describes them.
 */
// ── progress ────────────────────────────────────────────────────────────────────────────────

/** What each pipeline stage is doing, as a progress line says it. */
const STAGES: Readonly<Record<string, string>> = {
  config: 'reading the release config',
  load: 'reading the data',
  compute: 'computing the statistics',
  templates: 'reading the templates',
  narrate: 'writing the narrative',
  check: 'checking the document',
  charts: 'drawing the charts',
  html: 'writing the web page',
  data: 'writing the underlying data',
  docx: 'writing the Word version',
  pdf: 'printing the PDF',
  gates: 'running the quality gates',
  write: 'writing the output files',
};

export function stageLabel(stage: string): string {
  return Object.hasOwn(STAGES, stage) ? STAGES[stage]! : stage;
}

export const progressLine = {
  /** A stage still running after the reporter's delay. */
  running: (stage: string) => `statpress: ${stageLabel(stage)}…`,
  /** A slow stage that kept the reporter from speaking while it ran (it blocked the event loop). */
  took: (stage: string, ms: number) => `statpress: ${stageLabel(stage)}… took ${(ms / 1000).toFixed(1)} s`,
};
