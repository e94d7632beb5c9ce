import type { AssignmentMsg } from '@crawlnest/node';

/** The SIGTERM → SIGKILL grace of one run: the assignment's (task, else spider) or the worker's default. */
export function killGraceMsOf(a: Pick<AssignmentMsg, 'killGraceSec'>, workerDefaultMs: number): number {
  return a.killGraceSec > 0 ? a.killGraceSec * 1000 : workerDefaultMs;
}
