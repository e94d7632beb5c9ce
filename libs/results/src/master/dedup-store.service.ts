import { Injectable } from '@nestjs/common';
import type { AttemptRef } from './result-ingest.service';
import { KeyClaim, KeyTakeover, ResultClaimsRepository, slotId } from './result-claims.repository';
import { ResultDoc, ResultStoreRepository } from './result-store.repository';

export type Prepared = { seq: number; doc: ResultDoc; item: Record<string, unknown>; claimId?: string };
/** Items of task `tid` (spider `sid`) that this batch took over: that task's count drops by `n`. */
export type Loss = { tid: string; sid: string; n: number };
export type StoreOutcome = {
  /** Items this batch now holds: new keys, and keys taken over from another task. */
  stored: number;
  duplicates: number;
  refused: { seq: number; reason: string }[];
  /** Documents written (for the field list). */
  written: ResultDoc[];
  losses: Loss[];
  /** Documents this batch deleted because a newer item of their key replaced them (holes in the spider's page marks). */
  replaced?: number;
  /** Of those, the documents of this batch's own task (holes in the task's page marks). */
  replacedOwn?: number;
};

/**
 * Stores a batch's prepared documents under the spider's dedup setting. Every path is safe to
 * repeat: documents have deterministic `_id`s and claims name their item, so a batch resent
 * after a lost reply or a master crash stores and counts the same as its first try did.
 */
@Injectable()
export class DedupStoreService {
  constructor(
    private readonly store: ResultStoreRepository,
    private readonly claims: ResultClaimsRepository,
  ) {}

  /** No dedup: every item is a document. */
  async storeAll(col: string, prepared: Prepared[]): Promise<StoreOutcome> {
    return this.insert(col, prepared, 0);
  }

  /** `ignore`: the first item of a key claims it and is stored; a later one is dropped. */
  async storeIgnoring(col: string, ref: AttemptRef, spiderId: string, prepared: Prepared[]): Promise<StoreOutcome> {
    const claims = prepared.map((p) => ({ ...this.claimOf(col, ref, p), sid: spiderId }));
    const outcome = await this.claims.claimFirst(claims);
    const lostIds = [...new Set(claims.filter((_, i) => outcome[i] !== null).map((c) => c._id))];
    const holders = new Map((await this.claims.findClaims(lostIds)).map((c) => [c._id, c]));
    const toInsert: Prepared[] = [];
    let duplicates = 0;
    prepared.forEach((p, i) => {
      if (outcome[i] === null) return void toInsert.push(p);
      const holder = holders.get(claims[i]._id);
      if (!holder) throw new Error(`dedup claim ${claims[i]._id} failed: ${outcome[i]}`);
      if (holder.src === claims[i].src || holder.doc === claims[i].doc) return void toInsert.push(p); // our own, from an earlier try
      duplicates++;
    });
    return this.insert(col, toInsert, duplicates);
  }

  /**
   * `overwrite`: the newest item of a key holds it. Each item's document is written first, then
   * its key is taken: the first slot of a new key, or the next slot of the key's chain, and the
   * document of the holder it replaced is deleted. A document exists before its claim, so whoever
   * takes the key over later always finds it to delete; counts move from the replaced holder's
   * task to this one (`losses`).
   */
  async storeOverwriting(col: string, ref: AttemptRef, spiderId: string, prepared: Prepared[], batchId: string): Promise<StoreOutcome> {
    const resent = !(await this.claims.markBatch(batchId, ref.taskId));
    const out = await this.insert(col, prepared, 0);
    const written = new Set(out.written);
    const ok = prepared.filter((p) => written.has(p.doc));
    const claims = ok.map((p) => ({ ...this.claimOf(col, ref, p), sid: spiderId }));
    const first = await this.claims.claimFirst(claims);
    // Items whose key is held: take it over, in seq order (the later item of a batch wins its key).
    const contested = claims.filter((_, i) => first[i] !== null);
    const takeovers = await this.claims.takeOverAll(contested.map(({ _id, ...mine }) => ({ base: _id, mine })), resent);
    const taken: { claim: KeyClaim; t: KeyTakeover }[] = [
      ...claims.filter((_, i) => first[i] === null).map((claim) => ({ claim, t: { gen: 0, prev: null } })),
      ...contested.map((claim, i) => ({ claim, t: takeovers[i] })),
    ];

    let stored = 0;
    let duplicates = 0;
    const replaced: string[] = [];
    let own = 0;
    const losses = new Map<string, Loss>();
    for (const { t } of taken) {
      if (!t.prev) {
        stored++;
        continue;
      }
      duplicates++;
      replaced.push(t.prev.doc);
      if (t.prev.tid === ref.taskId) {
        own++;
        continue; // its own item, written again: no count moves
      }
      stored++;
      const sid = t.prev.sid ?? spiderId;
      const l = losses.get(t.prev.tid) ?? { tid: t.prev.tid, sid, n: 0 };
      l.n++;
      losses.set(t.prev.tid, l);
    }
    await this.store.deleteIds(col, replaced);
    // A resend may write again a document that a newer item has replaced since the first try.
    let gone = replaced.length;
    if (resent) {
      const next = new Map(taken.map(({ claim, t }) => [slotId(claim._id, t.gen + 1), claim.doc]));
      const newer = await this.claims.findClaims([...next.keys()]);
      await this.store.deleteIds(col, newer.map((c) => next.get(c._id)!));
      gone += newer.length;
      own += newer.length;
    }
    return { stored, duplicates, refused: out.refused, written: out.written, losses: [...losses.values()], replaced: gone, replacedOwn: own };
  }

  private claimOf(col: string, ref: AttemptRef, p: Prepared): KeyClaim {
    return { _id: p.claimId!, col, tid: ref.taskId, src: `${ref.taskId}:${ref.attempt}:${p.seq}`, doc: p.doc._id };
  }

  private async insert(col: string, prepared: Prepared[], duplicates: number): Promise<StoreOutcome> {
    const outcome = await this.store.insertAll(col, prepared.map((p) => p.doc));
    const refused: StoreOutcome['refused'] = [];
    const written: ResultDoc[] = [];
    outcome.forEach((err, i) => {
      if (err) refused.push({ seq: prepared[i].seq, reason: `the database refused the item: ${err}` });
      else written.push(prepared[i].doc);
    });
    return { stored: written.length, duplicates, refused, written, losses: [] };
  }
}
