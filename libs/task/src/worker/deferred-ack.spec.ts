import { ackFoldWindowMs, DeferredAck } from './deferred-ack';

const accepted = { accepted: true, reason: '' };

describe('DeferredAck', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends no Ack when the start comes within the window: the Started report carries it', () => {
    const send = jest.fn(() => Promise.resolve(accepted));
    const d = new DeferredAck(send, 250);
    jest.advanceTimersByTime(100);
    expect(d.takeForStart()).toEqual({ fold: true });
    jest.advanceTimersByTime(1000);
    expect(send).not.toHaveBeenCalled();
  });

  it('sends the Ack when the window ends first, and the start then waits for its answer', async () => {
    const refused = { accepted: false, reason: 'attempt 1 is superseded by 2' };
    const send = jest.fn(() => Promise.resolve(refused));
    const d = new DeferredAck(send, 250);
    jest.advanceTimersByTime(250);
    expect(send).toHaveBeenCalledTimes(1);
    const next = d.takeForStart();
    expect(next.fold).toBe(false);
    await expect((next as { ack: Promise<unknown> }).ack).resolves.toEqual(refused);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('sends nothing after a run that ended before its start (a failed sync)', () => {
    const send = jest.fn(() => Promise.resolve(accepted));
    const d = new DeferredAck(send, 250);
    d.cancel();
    jest.advanceTimersByTime(1000);
    expect(send).not.toHaveBeenCalled();
  });

  it('sends the Ack once however often it is asked for', async () => {
    const send = jest.fn(() => Promise.resolve(accepted));
    const d = new DeferredAck(send, 250);
    await Promise.all([d.ackNow(), d.ackNow()]);
    jest.advanceTimersByTime(1000);
    expect(send).toHaveBeenCalledTimes(1);
  });
});

describe('ackFoldWindowMs', () => {
  it.each([
    [undefined, 250], // a master that does not say its ack timeout
    [0, 250],
    [500, 250], // the smallest ack timeout a master accepts: never above the old window's floor
    [1500, 375],
    [3000, 750],
    [10_000, 2000], // the default timeout: capped
  ])('master ack timeout %p → %p ms', (timeout, want) => {
    expect(ackFoldWindowMs(timeout)).toBe(want);
  });
});
