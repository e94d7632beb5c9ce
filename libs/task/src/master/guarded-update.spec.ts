import { Types } from 'mongoose';
import { matchesGuard } from './guarded-update';

describe('matchesGuard', () => {
  const doc = { _id: new Types.ObjectId(), attempt: 2, status: 'assigned', nodeId: 'n1', ackedAt: null };

  it('holds when every field equals', () => {
    expect(matchesGuard(doc, { attempt: 2, nodeId: 'n1', status: 'assigned' })).toBe(true);
  });

  it('fails on one field differing', () => {
    expect(matchesGuard(doc, { attempt: 3, nodeId: 'n1' })).toBe(false);
    expect(matchesGuard(doc, { nodeId: 'n2' })).toBe(false);
  });

  it('reads $in as membership', () => {
    expect(matchesGuard(doc, { status: { $in: ['assigned', 'running'] } })).toBe(true);
    expect(matchesGuard(doc, { status: { $in: ['running'] } })).toBe(false);
  });

  it('treats a missing field as null, like a filter does', () => {
    expect(matchesGuard(doc, { requeuedAt: null })).toBe(true);
    expect(matchesGuard(doc, { ackedAt: null })).toBe(true);
    expect(matchesGuard(doc, { requeuedAt: 'x' })).toBe(false);
  });

  it('compares ObjectIds by value', () => {
    expect(matchesGuard(doc, { _id: new Types.ObjectId(String(doc._id)) })).toBe(true);
    expect(matchesGuard(doc, { _id: new Types.ObjectId() })).toBe(false);
  });
});
