import { insertOutcomes } from './insert-outcomes';

describe('insertOutcomes', () => {
  it('wins the documents inserted and loses the duplicates, by index', () => {
    const err = Object.assign(new Error('E11000'), { writeErrors: [{ index: 1, code: 11000 }, { index: 3, code: 11000 }], insertedCount: 3 });
    expect(insertOutcomes(err, 5)).toEqual([true, false, true, false, true]);
  });

  it('treats every document as unknown when the error does not account for all of them', () => {
    // a server that stopped at the first duplicate: 1 inserted + 1 error of 4
    const err = Object.assign(new Error('E11000'), { writeErrors: [{ index: 1, code: 11000 }], insertedCount: 1 });
    expect(insertOutcomes(err, 4).every((o) => o instanceof Error)).toBe(true);
  });

  it('treats every document as unknown on an error without per-document detail (a cut connection)', () => {
    expect(insertOutcomes(new Error('connection reset'), 2).every((o) => o instanceof Error)).toBe(true);
  });

  it('reads the count from the bulk result when the error does not carry it', () => {
    const err = { writeErrors: { index: 0, code: 11000 }, result: { insertedCount: 1 } };
    expect(insertOutcomes(err, 2)).toEqual([false, true]);
  });

  it('fails a document whose write error is not a duplicate, and only that one', () => {
    const err = { writeErrors: [{ index: 0, code: 2 }], insertedCount: 1 };
    const out = insertOutcomes(err, 2);
    expect(out[0]).toBeInstanceOf(Error);
    expect(out[1]).toBe(true);
  });
});
