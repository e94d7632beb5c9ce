import { pinoParams } from './pino-options';

type HttpOpts = { level: string; transport?: { target: string }; base: Record<string, string> };
const http = (p: ReturnType<typeof pinoParams>) => p.pinoHttp as HttpOpts;

describe('pinoParams', () => {
  it.each([
    ['auto on a terminal', 'auto', true, 'pino-pretty'],
    ['auto in a pipe or file', 'auto', false, undefined],
    ['json on a terminal', 'json', true, undefined],
    ['pretty in a pipe', 'pretty', false, 'pino-pretty'],
  ] as const)('%s → %s', (_what, format, tty, target) => {
    const p = http(pinoParams({ level: 'debug', format }, { component: 'worker' }, tty));
    expect(p.transport?.target).toBe(target);
    expect(p.level).toBe('debug');
    expect(p.base).toEqual({ component: 'worker' });
  });
});
