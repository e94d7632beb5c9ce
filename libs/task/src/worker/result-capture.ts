import type { AttemptResults } from '../task.types';
/**
 * The hook through which the results lib takes result lines out of a task's stdout. It is
 * defined here (the runner's side) and provided by `@crawlnest/results`, so the task lib does
 * not depend on the results lib.
 */
export const RESULT_CAPTURE_FACTORY = Symbol('RESULT_CAPTURE_FACTORY');

export type ResultCaptureContext = {
  taskId: string;
  attempt: number;
  nodeId: string;
  workspace: string;
  /** Writes a line into the task's log (explanations of refused items, summaries). */
  log: (text: string) => void;
  /** The master refused the attempt: the run must stop. */
  onRefused: (reason: string) => void;
};

export interface ResultCapture {
  /** Takes the line when it is a result message (returns true), else leaves it to the log. */
  offer(line: string): boolean;
  /** A line over the result-line cap that started like a result message. */
  refuseOverlong(bytes: number): void;
  /** Resolves once every item is stored (or refused); called before Finished is reported. */
  close(): Promise<void>;
  /** The master's answers for the attempt's items so far; complete once `close()` resolved. */
  tally(): AttemptResults;
}

export interface ResultCaptureFactory {
  open(ctx: ResultCaptureContext): ResultCapture;
}
