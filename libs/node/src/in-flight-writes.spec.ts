import { InFlightWrites } from './in-flight-writes';

describe('InFlightWrites', () => {
  it('settled() waits for every tracked write, failed ones and follow-ups started meanwhile included', async () => {
    const w = new InFlightWrites();
    const order: string[] = [];
    let failFirst!: (e: Error) => void;
    const first = w.track(new Promise<void>((_, rej) => (failFirst = rej)));
    first.catch(() => {
      order.push('first failed');
      // A follow-up write, as a recorder starts after one settles.
      void w.track(new Promise<void>((r) => setTimeout(() => (order.push('follow-up'), r()), 20)));
    });
    const settled = w.settled().then(() => order.push('settled'));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    failFirst(new Error('boom'));
    await settled;
    expect(order).toEqual(['first failed', 'follow-up', 'settled']);
  });

  it('settled() resolves at once with nothing in flight', async () => {
    await expect(new InFlightWrites().settled()).resolves.toBeUndefined();
  });
});
