/** The progress reporter: a slow stage says what it is doing, a fast one says nothing, quiet says nothing. */
import { describe, expect, it } from 'vitest';
import { createProgress, type SetTimer } from '../../src/cli/progress.js';

/** A clock and timers that move only when told to. */
function fakeTime() {
  let time = 0;
  const timers: Array<{ at: number; callback: () => void; live: boolean }> = [];
  const setTimer: SetTimer = (callback, ms) => {
    const timer = { at: time + ms, callback, live: true };
    timers.push(timer);
    return () => {
      timer.live = false;
    };
  };
  return {
    now: () => time,
    setTimer,
    /** Moves the clock on, firing the timers that fall due, in order. */
    advance(ms: number): void {
      const end = time + ms;
      for (;;) {
        const due = timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        time = due.at;
        due.live = false;
        due.callback();
      }
      time = end;
    },
    /** Moves the clock on without firing anything, as a stage that blocks the event loop does. */
    block(ms: number): void {
      time += ms;
    },
    pending: () => timers.filter((t) => t.live).length,
  };
}

function reporter(options: { quiet?: boolean } = {}) {
  const clock = fakeTime();
  const lines: string[] = [];
  const progress = createProgress((line) => lines.push(line), { ...options, now: clock.now, setTimer: clock.setTimer });
  return { clock, lines, progress };
}

describe('progress', () => {
  it('announces a stage still running after a second, and not one that ends sooner', () => {
    const { clock, lines, progress } = reporter();
    progress({ stage: 'load', phase: 'start' });
    clock.advance(200);
    progress({ stage: 'load', phase: 'end' });
    expect(lines).toEqual([]);
    progress({ stage: 'charts', phase: 'start' });
    clock.advance(1500);
    progress({ stage: 'charts', phase: 'end' });
    expect(lines).toEqual(['statpress: drawing the charts…']);
    expect(clock.pending()).toBe(0);
  });

  it('reports a slow stage that blocked the timers when it ends, with its time', () => {
    const { clock, lines, progress } = reporter();
    progress({ stage: 'narrate', phase: 'start' });
    clock.block(200);
    progress({ stage: 'narrate', phase: 'end' });
    progress({ stage: 'pdf', phase: 'start' });
    clock.block(1500);
    progress({ stage: 'pdf', phase: 'end' });
    expect(lines).toEqual(['statpress: printing the PDF… took 1.5 s']);
  });

  it('prints a stage it has no label for by its name', () => {
    const { clock, lines, progress } = reporter();
    progress({ stage: 'fetch-boundaries', phase: 'start' });
    clock.advance(1000);
    expect(lines).toEqual(['statpress: fetch-boundaries…']);
  });

  it('prints nothing when quiet, and sets no timers', () => {
    const { clock, lines, progress } = reporter({ quiet: true });
    progress({ stage: 'charts', phase: 'start' });
    expect(clock.pending()).toBe(0);
    clock.advance(1500);
    progress({ stage: 'charts', phase: 'end' });
    progress({ stage: 'pdf', phase: 'start' });
    clock.block(1500);
    progress({ stage: 'pdf', phase: 'end' });
    expect(lines).toEqual([]);
  });

  it('done() cancels the timers of stages still running and ignores later events', () => {
    const { clock, lines, progress } = reporter();
    progress({ stage: 'pdf', phase: 'start' });
    progress.done();
    expect(clock.pending()).toBe(0);
    clock.advance(5000);
    progress({ stage: 'docx', phase: 'start' });
    clock.advance(5000);
    expect(lines).toEqual([]);
  });

  it('uses real timers that do not keep the process alive, and clears them', async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    const lines: string[] = [];
    const progress = createProgress((line) => lines.push(line), { afterMs: 20 });
    progress({ stage: 'charts', phase: 'start' });
    progress({ stage: 'pdf', phase: 'start' });
    expect(timeouts()).toBe(before); // unref'd: not counted as keeping the process alive
    await new Promise((r) => setTimeout(r, 60));
    expect(lines).toEqual(['statpress: drawing the charts…', 'statpress: printing the PDF…']);
    progress({ stage: 'docx', phase: 'start' });
    progress.done();
    await new Promise((r) => setTimeout(r, 60));
    expect(lines).toHaveLength(2);
  });
});
