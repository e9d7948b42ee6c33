/**
 * `--profile` and `--trace FILE`: where a command's time goes.
 *
 * The pipeline already reports each stage's start and end (`ProgressSink`); the profiler listens
 * to the same events and records, for every stage, its wall time and the CPU time this process
 * spent meanwhile (`process.cpuUsage`: the main thread and its worker threads, not Chromium, which
 * is a process of its own). Steps that run outside the pipeline's stages (Chromium's launch, the
 * PDF's draft prints) are marked with `performance.measure` where they happen (`markSpan`, src/core/progress.ts), and
 * are read from Node's performance timeline at the end: wall time only.
 *
 * The report is a table on stderr; the trace is Chrome's trace-event format (JSON, complete
 * events in microseconds), which chrome://tracing and https://ui.perfetto.dev open.
 */
import { writeFileSync } from 'node:fs';
import { recordSpans, SPAN_PREFIX as PREFIX, type ProgressSink } from '../core/progress.js';

/** One timed span: a stage, or a step marked inside one. */
export interface Span {
  name: string;
  /** ms since the process started (Node's time origin). */
  start: number;
  wall: number;
  /** CPU ms (user + system) of this process during the span; absent for marked steps. */
  cpu?: number;
  /** Marked inside a stage, not a stage itself. */
  inner?: boolean;
}

export type Profiler = ProgressSink & {
  /** The spans so far, the process's start-up first, in the order they started. */
  spans(): Span[];
  /** The table `--profile` prints. */
  report(): string;
  /** Writes the spans as a Chrome trace (JSON trace-event format). */
  writeTrace(file: string): void;
};

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export function createProfiler(): Profiler {
  recordSpans();
  // What ran before the command: Node's own start-up and loading the modules statpress imports.
  const created = performance.now();
  const startupCpu = cpuMs();
  const done: Span[] = [{ name: 'start-up (node + imports)', start: 0, wall: created, cpu: startupCpu }];
  const open = new Map<string, { start: number; cpu: number }>();
  const sink: ProgressSink = (event) => {
    if (event.phase === 'start') {
      open.set(event.stage, { start: performance.now(), cpu: cpuMs() });
      return;
    }
    const began = open.get(event.stage);
    if (!began) return;
    open.delete(event.stage);
    done.push({ name: event.stage, start: began.start, wall: performance.now() - began.start, cpu: cpuMs() - began.cpu });
  };
  const spans = (): Span[] => {
    const marked = performance
      .getEntriesByType('measure')
      .filter((m) => m.name.startsWith(PREFIX))
      .map((m): Span => ({ name: m.name.slice(PREFIX.length), start: m.startTime, wall: m.duration, inner: true }));
    return [...done, ...marked].sort((a, b) => a.start - b.start);
  };
  return Object.assign(sink, {
    spans,
    report(): string {
      const all = spans();
      const end = performance.now();
      const stages = all.filter((s) => !s.inner);
      // Time inside no stage: waiting for Chromium, writing files, and the work between stages.
      let covered = 0;
      let reach = 0;
      for (const s of [...stages].sort((a, b) => a.start - b.start)) {
        const from = Math.max(reach, s.start);
        const to = s.start + s.wall;
        if (to > from) covered += to - from;
        reach = Math.max(reach, to);
      }
      const width = Math.max(24, ...all.map((s) => s.name.length + (s.inner ? 2 : 0)));
      const ms = (n: number | undefined) => (n === undefined ? '' : `${n.toFixed(0)} ms`).padStart(9);
      const lines = [`${'stage'.padEnd(width)}  ${'starts'.padStart(9)}  ${'wall'.padStart(9)}  ${'cpu'.padStart(9)}`];
      for (const s of all) lines.push(`${((s.inner ? '  ' : '') + s.name).padEnd(width)}  ${ms(s.start)}  ${ms(s.wall)}  ${ms(s.cpu)}`);
      lines.push(`${'outside any stage'.padEnd(width)}  ${''.padStart(9)}  ${ms(end - covered)}`);
      lines.push(`${'whole process so far'.padEnd(width)}  ${''.padStart(9)}  ${ms(end)}  ${ms(cpuMs())}`);
      lines.push('cpu: this process (all its threads) during the span, not Chromium; stages can overlap; marked steps (indented) have wall time only');
      return `${lines.join('\n')}\n`;
    },
    writeTrace(file: string): void {
      const pid = process.pid;
      const events = spans().map((s) => ({
        name: s.name,
        cat: s.inner ? 'step' : 'stage',
        ph: 'X',
        ts: Math.round(s.start * 1000),
        dur: Math.round(s.wall * 1000),
        pid,
        // Marked steps on a row of their own, so an overlap with a stage stays readable.
        tid: s.inner ? 2 : 1,
        ...(s.cpu !== undefined ? { args: { cpuMs: Math.round(s.cpu) } } : {}),
      }));
      const meta = [
        { name: 'process_name', ph: 'M', pid, tid: 1, args: { name: 'statpress' } },
        { name: 'thread_name', ph: 'M', pid, tid: 1, args: { name: 'stages' } },
        { name: 'thread_name', ph: 'M', pid, tid: 2, args: { name: 'steps' } },
      ];
      writeFileSync(file, `${JSON.stringify({ traceEvents: [...meta, ...events], displayTimeUnit: 'ms' })}\n`);
    },
  });
}

/** A sink that tells every sink given. */
export function bothSinks(a: ProgressSink, b: ProgressSink | undefined): ProgressSink {
  return b ? (event) => (a(event), b(event)) : a;
}
