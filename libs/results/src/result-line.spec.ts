import { parseResultLine } from './result-line';

describe('parseResultLine', () => {
  it.each([
    ['a log line', 'hello', null],
    ['JSON without ipc', '{"type":"data","payload":{"a":1}}', null],
    ['ipc of another type', '{"type":"log","payload":{"a":1},"ipc":true}', null],
    ['a single object payload', '{"type":"data","payload":{"a":1},"ipc":true}', [{ json: '{"a":1}' }]],
    ['an empty type', '{"payload":[{"a":1},{"b":2}],"ipc":true,"type":""}', [{ json: '{"a":1}' }, { json: '{"b":2}' }]],
    ['a payload of numbers', '{"type":"data","payload":[1,{"a":1}],"ipc":true}', [{ error: 'payload item 0 is a number, not an object' }, { json: '{"a":1}' }]],
    ['no payload', '{"type":"data","ipc":true}', [{ error: 'result line without a payload' }]],
  ])('%s', (_name, line, expected) => {
    expect(parseResultLine(line)).toEqual(expected);
  });

  it('refuses broken JSON that carries "ipc":true, and leaves other broken JSON to the log', () => {
    const r = parseResultLine('{"type":"data","payload":{"a":1,"ipc":true');
    expect(r).toHaveLength(1);
    expect(r?.[0]).toEqual({ error: expect.stringContaining('malformed result line') });
    expect(parseResultLine('{"ipc": maybe')).toBeNull();
  });
});
