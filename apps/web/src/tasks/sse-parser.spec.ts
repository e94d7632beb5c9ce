import { SseParser } from './sse-parser';

describe('SSE parser for fetch streaming', () => {
  const stream = 'id: 1\nevent: line\ndata: {"seq":1}\n\nid: 2\nevent: line\ndata: {"seq":2}\n\nevent: end\ndata: {"status":"finished"}\n\n';

  it('reads the events the master sends', () => {
    expect(new SseParser().push(stream)).toEqual([
      { event: 'line', data: '{"seq":1}', id: '1' },
      { event: 'line', data: '{"seq":2}', id: '2' },
      { event: 'end', data: '{"status":"finished"}', id: '2' },
    ]);
  });

  it('gives the same events however the bytes are split', () => {
    const whole = new SseParser().push(stream);
    for (let size = 1; size < 12; size++) {
      const p = new SseParser();
      const got = [];
      for (let i = 0; i < stream.length; i += size) got.push(...p.push(stream.slice(i, i + size)));
      expect(got).toEqual(whole);
    }
  });

  it('takes \\r\\n and \\r line ends, multi-line data and ignores comments', () => {
    const p = new SseParser();
    expect(p.push(': keep-alive\r\ndata: a\r\ndata: b\r\n\r')).toEqual([]);
    expect(p.push('\n')).toEqual([{ event: 'message', data: 'a\nb', id: null }]);
    expect(p.push('data: c\r\rdata: d\r')).toEqual([{ event: 'message', data: 'c', id: null }]);
  });

  it('holds an unfinished event until its blank line', () => {
    const p = new SseParser();
    expect(p.push('event: line\ndata: {"seq":3}\n')).toEqual([]);
    expect(p.push('\n')).toHaveLength(1);
  });
});
