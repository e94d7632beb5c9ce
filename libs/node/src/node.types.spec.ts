import { labelsFromObject, labelsMatch, labelsToObject } from './node.types';

describe('labelsMatch: a task selector against node labels', () => {
  const node = labelsFromObject({ 'topology.zone': 'eu-1', gpu: 'yes' });
  it.each([
    [{}, true],
    [{ gpu: 'yes' }, true],
    [{ 'topology.zone': 'eu-1', gpu: 'yes' }, true],
    [{ gpu: 'no' }, false],
    [{ disk: 'ssd' }, false],
    [{ 'topology.zone': 'eu-1', disk: 'ssd' }, false],
  ])('selector %j → %s', (sel, ok) => {
    expect(labelsMatch(labelsFromObject(sel), node)).toBe(ok);
  });

  it('keeps keys with dots through the pair form', () => {
    expect(labelsToObject(node)).toEqual({ 'topology.zone': 'eu-1', gpu: 'yes' });
  });
});
