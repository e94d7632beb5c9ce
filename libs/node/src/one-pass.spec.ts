import { OnePass } from './one-pass';

describe('OnePass', () => {
  it('runs one pass at a time: a call while one is in flight is skipped', async () => {
    const pass = new OnePass();
    let calls = 0;
    let release!: () => void;
    const first = pass.run(() => {
      calls++;
      return new Promise<void>((r) => (release = r));
    });
    await pass.run(async () => void calls++);
    expect(calls).toBe(1);
    release();
    await first;
    await pass.run(async () => void calls++);
    expect(calls).toBe(2);
  });

  it('stop() waits for the pass in flight, even a failing one, and no pass starts after it', async () => {
    const pass = new OnePass();
    const order: string[] = [];
    let fail!: (e: Error) => void;
    const first = pass.run(() => new Promise<void>((_, rej) => (fail = rej)));
    first.catch(() => order.push('pass failed'));
    const stopped = pass.stop().then(() => order.push('stopped'));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    fail(new Error('boom'));
    await stopped;
    expect(order).toEqual(['pass failed', 'stopped']);
    let ran = false;
    await pass.run(async () => void (ran = true));
    expect(ran).toBe(false);
    expect(pass.stopping).toBe(true);
  });
});
