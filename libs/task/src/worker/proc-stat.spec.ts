import { parseProcStat, readProcStat } from './proc-stat';

describe('parseProcStat', () => {
  it('reads pgrp and start time after a command name holding spaces and parentheses', () => {
    const line = '4242 (we ird) (name)) S 1 4240 4240 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ pid: 4242, pgrp: 4240, startTicks: '987654' });
  });

  it('refuses a line without a command name', () => {
    expect(parseProcStat('garbage')).toBeNull();
  });

  it('reads this very process from /proc', () => {
    const st = readProcStat(process.pid);
    expect(st?.pid).toBe(process.pid);
    expect(Number(st?.startTicks)).toBeGreaterThan(0);
    expect(readProcStat(2 ** 22 + 7)).toBeNull();
  });
});
