/**
 * What must be undone if the process is stopped (Ctrl+C, SIGTERM) before it finishes: a
 * Chromium to close and its profile folder to remove, a half-written output folder and its lock.
 * Whatever starts such a thing registers how to undo it, and unregisters once it is undone. The
 * CLI's signal handler (`src/bin.ts`) runs everything still registered, then exits.
 */

type Undo = () => void | Promise<void>;

const pending = new Set<Undo>();

/** Registers `undo` to run if the process is stopped; the returned function unregisters it. */
export function onShutdown(undo: Undo): () => void {
  pending.add(undo);
  return () => {
    pending.delete(undo);
  };
}

/** How many undo actions are registered (for tests). */
export function pendingShutdown(): number {
  return pending.size;
}

/**
 * Runs every registered undo, newest first, each at most once, and waits for them (up to
 * `timeoutMs` in all): a browser that does not close in time is killed by its own undo.
 */
export async function runShutdown(timeoutMs = 5_000): Promise<void> {
  const undos = [...pending].reverse();
  pending.clear();
  const all = Promise.allSettled(undos.map(async (undo) => undo()));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

/** What a signal's exit status is: 128 plus its number. */
export const SIGNAL_STATUS: Readonly<Record<string, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

type Interrupt = (signal: NodeJS.Signals) => void;
let interrupt: Interrupt | undefined;

/**
 * Lets a command that runs until it is stopped (the preview) take the signal itself and end
 * its own way; the returned function gives it back.
 */
export function onInterrupt(handler: Interrupt): () => void {
  interrupt = handler;
  return () => {
    if (interrupt === handler) interrupt = undefined;
  };
}

/**
 * The process was told to stop: a command that asked for the signal gets it; otherwise
 * everything registered is undone (Chromium closed and its profile removed, a half-written output
 * folder removed and its lock released) and `exit` is called with 128 + the signal's number.
 */
export async function stopped(signal: NodeJS.Signals, exit: (status: number) => void): Promise<void> {
  if (interrupt) {
    interrupt(signal);
    return;
  }
  await runShutdown();
  exit(SIGNAL_STATUS[signal] ?? 1);
}
