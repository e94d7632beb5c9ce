import type { DeliveryRecord, NotifyEvent } from '../notify.types';
import { holdersToRead, joinEvents, slimForStorage } from './delivery-events';

const event = (id: string): NotifyEvent => ({ id, type: 'task.error', at: '2026-12-06T00:00:00.000Z', projectId: null, links: {} });

const delivery = (id: string, events: NotifyEvent[], over: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  _id: id,
  eventId: events[0]?.id ?? id,
  eventType: 'task.error',
  ruleIds: ['r'],
  channelId: id.split('/')[1] ?? 'c',
  channelType: 'webhook',
  projectId: null,
  spiderId: null,
  status: 'sent',
  attempts: 1,
  responseCode: 200,
  lastError: null,
  latencyMs: 1,
  createdAt: new Date(0),
  nextAttemptAt: new Date(0),
  sentAt: new Date(0),
  events,
  ...over,
});

describe('delivery records stored with each event once', () => {
  it('keeps the event on the first record of each event in a batch and names it on the others', () => {
    const a = event('e1');
    const b = event('e2');
    const stored = slimForStorage([delivery('e1/c1', [a]), delivery('e1/c2', [a]), delivery('e2/c1', [b]), delivery('e1/c3', [a])]);
    expect(stored.map((d) => [d._id, d.events.length, d.eventsIn ?? null])).toEqual([
      ['e1/c1', 1, null],
      ['e1/c2', 0, 'e1/c1'],
      ['e2/c1', 1, null],
      ['e1/c3', 0, 'e1/c1'],
    ]);
  });

  it('leaves digests and test messages whole', () => {
    const items = [event('e1'), event('e2')];
    const digest = delivery('digest:r:c:0', items, { eventType: 'digest' });
    const twin = delivery('digest:r:c2:0', items, { eventType: 'digest' });
    expect(slimForStorage([digest, twin])).toEqual([digest, twin]);
  });

  it('joins the events back from a holder on the page or read apart, and drops the storage field', () => {
    const a = event('e1');
    const stored = slimForStorage([delivery('e1/c1', [a]), delivery('e1/c2', [a])]);
    // Both on the page: nothing to read.
    expect(holdersToRead(stored)).toEqual([]);
    const page = joinEvents(stored, new Map());
    expect(page.map((d) => [d._id, d.events, 'eventsIn' in d])).toEqual([
      ['e1/c1', [a], false],
      ['e1/c2', [a], false],
    ]);
    // Only the slim one on the page (a channel filter): its holder is read by `_id`.
    expect(holdersToRead([stored[1]])).toEqual(['e1/c1']);
    expect(joinEvents([stored[1]], new Map([['e1/c1', stored[0]]]))[0].events).toEqual([a]);
  });

  it('reads records written before slim storage as they are', () => {
    const old = delivery('e1/c1', [event('e1')]);
    expect(holdersToRead([old])).toEqual([]);
    expect(joinEvents([old], new Map())).toEqual([old]);
  });

  it('gives an empty event list when the holder is gone', () => {
    const slim = delivery('e1/c2', [], { eventsIn: 'e1/c1' });
    const [d] = joinEvents([slim], new Map());
    expect(d.events).toEqual([]);
    expect('eventsIn' in d).toBe(false);
  });
});
