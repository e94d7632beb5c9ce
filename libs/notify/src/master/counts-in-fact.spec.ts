import { countsInFact } from './event-facts.service';

describe('countsInFact', () => {
  it("takes a first attempt's counts from its Finished report", () => {
    expect(countsInFact({ attempt: 1, attemptResults: { stored: 7, rejected: 2 } })).toEqual({ resultCount: 7, resultErrors: 2 });
    expect(countsInFact({ attempt: 1, attemptResults: { stored: 0, rejected: 0 } })).toEqual({ resultCount: 0, resultErrors: 0 });
  });

  it('leaves a later attempt (earlier ones may have stored items) and a fact without counts to the ledgers', () => {
    expect(countsInFact({ attempt: 2, attemptResults: { stored: 7, rejected: 0 } })).toBeNull();
    expect(countsInFact({ attempt: 1, attemptResults: null })).toBeNull();
    expect(countsInFact({ attempt: 1 })).toBeNull();
  });
});
