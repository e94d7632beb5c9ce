import { NotFoundError } from '@crawlnest/node';
import { GitAutoPullCron } from './git-auto-pull.cron';
import type { GitOptions } from './git.options';
import type { GitPullService } from './git-pull.service';
import type { GitSourceRepository } from './git-source.repository';

/** Two replicas sharing one claims table (a Set standing in for the unique `_id`). */
function setup(sources: { _id: string; autoPullSec: number }[], pullErr?: Error) {
  const claims = new Set<string>();
  const pulls: string[] = [];
  const deleted: string[] = [];
  const git = {
    autoPullSources: async () => sources.filter((s) => s.autoPullSec > 0),
    pull: async (id: string) => {
      pulls.push(id);
      if (pullErr) throw pullErr;
      return { changed: false, version: 1, commit: 'c' };
    },
  } as unknown as GitPullService;
  const repo = {
    claimSlot: async (id: string, slot: number) => (claims.has(`${id}:${slot}`) ? false : (claims.add(`${id}:${slot}`), true)),
    forgetClaimsBefore: async () => undefined,
    delete: async (id: string) => void deleted.push(id),
  } as unknown as GitSourceRepository;
  const opts = { autoPullTickMs: 1000, replicaId: 'r' } as GitOptions;
  return { a: new GitAutoPullCron(git, repo, opts), b: new GitAutoPullCron(git, repo, opts), pulls, deleted };
}

describe('GitAutoPullCron', () => {
  it('pulls each due source once per interval across replicas, and again in the next interval', async () => {
    const { a, b, pulls } = setup([{ _id: 's1', autoPullSec: 60 }, { _id: 'off', autoPullSec: 0 }]);
    await a.tick(120_000);
    await b.tick(120_500);
    await a.tick(179_999);
    expect(pulls).toEqual(['s1']);
    await b.tick(180_000);
    expect(pulls).toEqual(['s1', 's1']);
  });

  it("removes the source of a deleted spider instead of retrying it; keeps it on other errors", async () => {
    const gone = setup([{ _id: 's1', autoPullSec: 60 }], new NotFoundError('spider', 's1'));
    await gone.a.tick(0);
    expect(gone.deleted).toEqual(['s1']);
    const failing = setup([{ _id: 's1', autoPullSec: 60 }], new Error('git fetch failed'));
    await failing.a.tick(0);
    expect(failing.deleted).toEqual([]);
  });
});
