import { LineSplitter, SplitLine } from './line-splitter';
import type { ResultCapture } from './result-capture';

export type OutputSink = {
  log: (stream: 'stdout' | 'stderr', text: string) => void;
  /** stdout only: result lines go here. */
  results?: ResultCapture;
};

export type OutputLimits = { logCapBytes: number; resultCapBytes: number };

/**
 * Reads one of a task's output streams with bounded memory (see LineSplitter) and routes each
 * line: result messages on stdout to the result capture, everything else to the log. A log
 * line over the log cap keeps its head and a visible marker with its real size.
 */
export function readTaskOutput(
  stream: NodeJS.ReadableStream | null,
  kind: 'stdout' | 'stderr',
  sink: OutputSink,
  limits: OutputLimits,
): Promise<void> {
  if (!stream) return Promise.resolve();
  const splitter = new LineSplitter({
    logCapBytes: limits.logCapBytes,
    // stderr never carries results: hold no line there longer than the log cap.
    resultCapBytes: kind === 'stdout' && sink.results ? limits.resultCapBytes : limits.logCapBytes,
  });
  const route = (lines: SplitLine[]) => {
    for (const l of lines) routeLine(l, kind, sink, limits);
  };
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer | string) => route(splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)));
    let ended = false;
    const done = () => {
      if (ended) return;
      ended = true;
      route(splitter.end());
      resolve();
    };
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', (err: Error) => {
      sink.log('stderr', `[crawlnest] reading ${kind} failed: ${err.message}`);
      done();
    });
  });
}

function routeLine(l: SplitLine, kind: 'stdout' | 'stderr', sink: OutputSink, limits: OutputLimits): void {
  if (l.kind === 'line') {
    if (kind === 'stdout' && sink.results?.offer(l.text)) return;
    sink.log(kind, l.text);
    return;
  }
  if (kind === 'stdout' && sink.results && l.maybeResult && l.bytes > limits.logCapBytes) {
    sink.results.refuseOverlong(l.bytes);
    return;
  }
  sink.log(kind, `${l.head}…[line truncated: ${l.bytes} bytes, the log keeps the first ${limits.logCapBytes}]`);
}
