/** One Server-Sent Event as the log stream sends it. */
export type SseEvent = { event: string; data: string; id: string | null };

/**
 * Incremental text/event-stream parser for fetch streaming (EventSource cannot send the
 * bearer header). Chunks split anywhere, lines end in \n, \r\n or \r; events end at a blank line.
 */
export class SseParser {
  private buf = '';
  private event = '';
  private data: string[] = [];
  private id: string | null = null;

  push(chunk: string): SseEvent[] {
    this.buf += chunk;
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = this.nextLineEnd(start);
      if (nl < 0) break;
      const line = this.buf.slice(start, nl);
      // \r\n counts as one line end; a lone \r at the chunk's end may still be followed by \n.
      start = this.buf[nl] === '\r' && this.buf[nl + 1] === '\n' ? nl + 2 : nl + 1;
      this.takeLine(line, out);
    }
    this.buf = this.buf.slice(start);
    return out;
  }

  private nextLineEnd(from: number): number {
    for (let i = from; i < this.buf.length; i++) {
      const c = this.buf[i];
      if (c === '\n') return i;
      if (c === '\r') return i + 1 < this.buf.length ? i : -1;
    }
    return -1;
  }

  private takeLine(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.data.length) out.push({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return; // a comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id') this.id = value;
  }
}
