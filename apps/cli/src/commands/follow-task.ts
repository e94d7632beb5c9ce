import { createInterface } from 'node:readline';
import type { CrawlnestApi } from '../api/crawlnest-api';
import { TERMINAL_STATUSES, Task } from '../api/types';
import { EXIT } from '../errors';
import { note } from '../output/print';

const POLL_MS = 300;
const STATUS_EVERY_MS = 2000;

export function isTerminal(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** The exit code a followed task ends the CLI with: 0 finished, 130 cancelled, 1 otherwise. */
export function exitCodeFor(status: string): number {
  if (status === 'finished') return EXIT.ok;
  if (status === 'cancelled') return EXIT.cancelled;
  return EXIT.failed;
}

/** A sleep that `wake()` ends early (Ctrl-C answered, follow stopped). */
class Pause {
  private timer: NodeJS.Timeout | null = null;
  private resolve: (() => void) | null = null;
  sleep(ms: number): Promise<void> {
    return new Promise((res) => {
      this.resolve = res;
      this.timer = setTimeout(res, ms);
    });
  }
  wake(): void {
    if (this.timer) clearTimeout(this.timer);
    this.resolve?.();
  }
}

export type FollowControl = { stopped: boolean; pause: Pause };

export function newFollowControl(): FollowControl {
  return { stopped: false, pause: new Pause() };
}

/**
 * Prints a task's log as it is stored (stdout lines to stdout, stderr lines to stderr) until
 * the task ended and every line is printed; returns the task then, or null when `ctl.stopped`.
 * Logs are numbered per attempt, so a retried task starts again at line 1 of its new attempt.
 */
export async function followTask(api: CrawlnestApi, taskId: string, ctl: FollowControl): Promise<Task | null> {
  let after = 0;
  let attempt = (await api.getTask(taskId)).attempt;
  let lastStatusAt = Date.now();
  while (!ctl.stopped) {
    const page = await api.logs(taskId, after);
    for (const l of page.lines) (l.stream === 'stderr' ? process.stderr : process.stdout).write(l.text + '\n');
    after = page.nextAfter;
    if (page.done || Date.now() - lastStatusAt > STATUS_EVERY_MS) {
      const t = await api.getTask(taskId);
      lastStatusAt = Date.now();
      if (t.attempt !== attempt) {
        note(`-- task ${taskId}: attempt ${t.attempt} (status ${t.status})`);
        attempt = t.attempt;
        after = 0;
        continue;
      }
      if (page.done && isTerminal(t.status)) return t;
    }
    if (page.lines.length === 0) await ctl.pause.sleep(POLL_MS);
  }
  return null;
}

/** Reads one answer line from stdin; null when stdin ends first. */
function ask(question: string): Promise<string | null> {
  return new Promise((res) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: Boolean(process.stdin.isTTY) });
    let answered = false;
    rl.question(question, (a) => {
      answered = true;
      rl.close();
      res(a);
    });
    rl.once('close', () => {
      if (!answered) res(null);
    });
  });
}

/**
 * Ctrl-C while following: asks whether to cancel the tasks. Yes: cancels them and keeps
 * following until they end (exit 130). No (or no answer): stops following, tasks keep running,
 * exit 130. A second Ctrl-C while asking leaves at once.
 */
export function onInterruptAskToCancel(api: CrawlnestApi, taskIds: string[], ctl: FollowControl): () => void {
  let asking = false;
  const handler = (): void => {
    if (asking) process.exit(EXIT.cancelled);
    asking = true;
    void ask(`\ncancel task${taskIds.length > 1 ? 's' : ''} ${taskIds.join(', ')}? [y/N] `).then(async (answer) => {
      if (answer !== null && /^y(es)?$/i.test(answer.trim())) {
        for (const id of taskIds) {
          try {
            const t = await api.cancelTask(id);
            note(`cancel requested for task ${id} (status ${t.status})`);
          } catch (e) {
            note(`cancelling task ${id} failed: ${(e as Error).message}`);
          }
        }
      } else {
        note(`stopped following; task${taskIds.length > 1 ? 's keep' : ' keeps'} running (crawlnest logs ${taskIds[0]} -f)`);
        ctl.stopped = true;
        ctl.pause.wake();
      }
      asking = false;
    });
  };
  process.on('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}
