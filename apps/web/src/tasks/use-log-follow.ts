import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import type { LogLine } from '../api/types';
import { LogBuffer } from './log-buffer';
import { SseParser } from './sse-parser';

/** Work in one go before yielding (a frame is ~16 ms). */
const BUSY_MS = 8;
const SLICE_CHARS = 64 * 1024;

/** Yields to the browser (rendering, input) before continuing. */
function nextTask(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

export type LogFollow = { buffer: LogBuffer; count: number; ended: string | null; error: string | null; connected: boolean };

/**
 * Follows a task's log over fetch streaming (the bearer header goes along; EventSource could
 * not send it). Lines are buffered and shown once per animation frame, so 200k lines cost a
 * few hundred renders, not 200k. A dropped stream resumes after the last seq it has.
 */
export function useLogFollow(taskId: string): LogFollow {
  const bufferRef = useRef(new LogBuffer());
  const [count, setCount] = useState(0);
  const [ended, setEnded] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const buffer = new LogBuffer();
    bufferRef.current = buffer;
    setCount(0);
    setEnded(null);
    setError(null);
    const abort = new AbortController();
    let frame = 0;
    const schedule = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (buffer.flush() > 0) setCount(buffer.length);
      });
    };

    const readOnce = async (): Promise<string | null> => {
      const res = await api.logStream(taskId, buffer.lastSeq, abort.signal);
      setConnected(true);
      setError(null);
      const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
      if (!reader) throw new Error('the log stream has no body');
      const parser = new SseParser();
      let sliceStart = performance.now();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return null;
        // A finished task's log replays as fast as the network allows: one read can hold
        // megabytes. Parse it in slices and give the page a frame between them, so scrolling
        // and clicks stay answered while 200k lines come in.
        for (let i = 0; i < value.length; i += SLICE_CHARS) {
          for (const ev of parser.push(value.slice(i, i + SLICE_CHARS))) {
            if (ev.event === 'line') buffer.add(JSON.parse(ev.data) as LogLine);
            else if (ev.event === 'end') return (JSON.parse(ev.data) as { status: string }).status;
          }
          if (performance.now() - sliceStart > BUSY_MS) {
            schedule();
            await nextTask();
            sliceStart = performance.now();
          }
        }
        schedule();
      }
    };

    const run = async () => {
      let delay = 500;
      while (!abort.signal.aborted) {
        try {
          const status = await readOnce();
          schedule();
          if (status) {
            setEnded(status);
            return;
          }
        } catch (err) {
          if (abort.signal.aborted) return;
          setError(err instanceof Error ? err.message : String(err));
          // A 4xx (unknown task, token gone) will not heal by retrying.
          if (err instanceof Error && 'status' in err && typeof err.status === 'number' && err.status >= 400 && err.status < 500) return;
        }
        setConnected(false);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    };
    void run();
    return () => {
      abort.abort();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [taskId]);

  return { buffer: bufferRef.current, count, ended, error, connected };
}
