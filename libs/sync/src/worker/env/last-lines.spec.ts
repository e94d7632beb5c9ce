import { LastLines } from './last-lines';

describe('LastLines', () => {
  it('keeps only the last lines, without blank ones', () => {
    const l = new LastLines(3);
    for (const s of ['a', 'b', '', 'c', 'd']) l.push(s);
    expect(l.text()).toBe('c\nd');
  });
});
