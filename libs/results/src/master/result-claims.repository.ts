import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { RESULT_BATCH_MARK_MODEL, RESULT_KEY_MODEL } from '../results.schema';
import { InsertOutcome, unorderedInsert } from './result-store.repository';

/**
 * A dedup key's holder: `_id` is the key's base id `<collection>:<hash>` (the first holder) or
 * `<base>#<n>` (the n-th item that took the key over, `overwrite` mode). `src` names the item
 * (`<task>:<attempt>:<seq>`, or the document's `_id` when the backfill claimed a stored item);
 * `doc` is the results document that held the key while this was the newest holder.
 */
export type KeyClaim = { _id: string; col: string; tid: string; sid?: string; src: string; doc: string };

/** What taking a key over found: the slot won and the holder before it (null: the key was free). */
export type KeyTakeover = { gen: number; prev: KeyClaim | null };

/**
 * Who holds each dedup key. FerretDB makes no update atomic (read, then write), so a key's owner
 * is never updated in place: each takeover inserts the next slot of the key's chain (`<base>#1`,
 * `#2`, …), a unique insert, so two tasks overwriting one key at once are put in one order and
 * each knows whose item it replaced. Only `_id` reads are used (the one cheap read on FerretDB;
 * on MongoDB the same `_id` index serves them); the newest slot is found by galloping over slot
 * numbers. Slots are contiguous: slot n is written only after slot n-1 was read.
 */
@Injectable()
export class ResultClaimsRepository {
  constructor(
    @InjectModel(RESULT_KEY_MODEL) private readonly keys: Model<KeyClaim>,
    @InjectModel(RESULT_BATCH_MARK_MODEL) private readonly marks: Model<{ _id: string; tid: string; at: Date }>,
  ) {}

  /** Claims keys (their first slot) by unique insert; the outcome marks the ones another item holds already. */
  claimFirst(claims: KeyClaim[]): Promise<InsertOutcome> {
    return unorderedInsert(this.keys.collection as never, claims, () => false);
  }

  /** One read for many claims: `_id $in` (the `_id` index on MongoDB; one scan of the claims on FerretDB, whatever their number). */
  async findClaims(ids: string[]): Promise<KeyClaim[]> {
    if (!ids.length) return [];
    return this.keys.find({ _id: { $in: ids } }).lean<KeyClaim[]>().exec();
  }

  /**
   * Takes over the keys of a batch's items whose first claim was lost (`overwrite`), in order.
   * The common case — a key held by its first holder only, wanted by one item of the batch — costs
   * one read and one insert for the whole batch; other keys (taken over before, wanted twice in
   * the batch, or raced for) walk their chains one by one (takeOver).
   */
  async takeOverAll(reqs: { base: string; mine: Omit<KeyClaim, '_id'> }[], resent: boolean): Promise<KeyTakeover[]> {
    const out: (KeyTakeover | undefined)[] = reqs.map(() => undefined);
    const wanted = new Map<string, number>();
    for (const r of reqs) wanted.set(r.base, (wanted.get(r.base) ?? 0) + 1);
    const single = reqs.map((_, i) => i).filter((i) => wanted.get(reqs[i].base) === 1);
    const found = new Map((await this.findClaims(single.flatMap((i) => [reqs[i].base, slotId(reqs[i].base, 1)]))).map((c) => [c._id, c]));
    const inserts: { i: number; claim: KeyClaim }[] = [];
    for (const i of single) {
      const { base, mine } = reqs[i];
      const first = found.get(base);
      const second = found.get(slotId(base, 1));
      if (!first) continue;
      if (isOwn(first, mine)) out[i] = { gen: 0, prev: null };
      else if (!second) inserts.push({ i, claim: { ...mine, _id: slotId(base, 1) } });
      else if (isOwn(second, mine)) out[i] = { gen: 1, prev: first };
    }
    const inserted = await unorderedInsert(this.keys.collection as never, inserts.map((x) => x.claim), () => false);
    inserts.forEach((x, k) => {
      if (inserted[k] === null) out[x.i] = { gen: 1, prev: found.get(reqs[x.i].base)! };
    });
    for (let i = 0; i < reqs.length; i++) {
      if (!out[i]) out[i] = await this.takeOver(reqs[i].base, reqs[i].mine, resent);
    }
    return out as KeyTakeover[];
  }

  /**
   * Takes key `base` for `mine`: the first free slot after the newest holder, or, when an earlier
   * try of the same item already took it (`resent` batches walk the chain from its start), that
   * slot again. Returns the slot and the holder it replaced.
   */
  async takeOver(base: string, mine: Omit<KeyClaim, '_id'>, resent: boolean): Promise<KeyTakeover> {
    let g = 0;
    let prev: KeyClaim | null = null;
    if (!resent) {
      const head = await this.newest(base);
      if (head && isOwn(head.rec, mine)) return { gen: head.gen, prev: head.gen > 0 ? await this.read(slotId(base, head.gen - 1)) : null };
      if (head) {
        prev = head.rec;
        g = head.gen + 1;
      }
    }
    for (;;) {
      const rec = await this.read(slotId(base, g));
      if (!rec) {
        if (await this.insert({ ...mine, _id: slotId(base, g) })) return { gen: g, prev };
        continue; // another item took this slot first: read it and go on after it
      }
      if (isOwn(rec, mine)) return { gen: g, prev };
      prev = rec;
      g++;
    }
  }

  /**
   * Records that a batch's first try began (a unique insert). False: an earlier try began it, so
   * its items may hold slots already and walk their chains from the start.
   */
  async markBatch(id: string, tid: string): Promise<boolean> {
    try {
      await this.marks.collection.insertOne({ _id: id, tid, at: new Date() } as never);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  /** Drops every claim of a collection (dedup turned on again or its keys changed). */
  async deleteOfCollection(col: string): Promise<void> {
    await this.keys.deleteMany({ col });
  }

  /**
   * After a task's items were deleted: the keys it held last are freed (their whole chain goes, so
   * a later item of such a key is stored as new); slots it held before another task took the key
   * stay, they are that key's history.
   */
  async releaseHeldBy(col: string, tid: string): Promise<void> {
    const mine = await this.keys.find({ col, tid }, { _id: 1 }).lean<{ _id: string }[]>();
    for (const { _id } of mine) {
      const { base, gen } = parseSlotId(_id);
      if (await this.read(slotId(base, gen + 1))) continue;
      for (let g = gen; g >= 0; g--) await this.keys.deleteOne({ _id: slotId(base, g) });
    }
    await this.marks.deleteMany({ tid });
  }

  /** The item holding a key now (null: unclaimed): its newest slot. */
  async holder(base: string): Promise<KeyClaim | null> {
    return (await this.newest(base))?.rec ?? null;
  }

  /** The newest holder of a key (null: unclaimed), in O(log n) `_id` reads (slots are contiguous). */
  private async newest(base: string): Promise<{ gen: number; rec: KeyClaim } | null> {
    const first = await this.read(base);
    if (!first) return null;
    let lo = { gen: 0, rec: first };
    let hi = 1;
    for (let r = await this.read(slotId(base, hi)); r; r = await this.read(slotId(base, hi))) {
      lo = { gen: hi, rec: r };
      hi *= 2;
    }
    while (hi - lo.gen > 1) {
      const mid = (lo.gen + hi) >> 1;
      const r = await this.read(slotId(base, mid));
      if (r) lo = { gen: mid, rec: r };
      else hi = mid;
    }
    return lo;
  }

  private read(id: string): Promise<KeyClaim | null> {
    return this.keys.findById(id).lean<KeyClaim>().exec();
  }

  private async insert(c: KeyClaim): Promise<boolean> {
    try {
      await this.keys.collection.insertOne(c as never);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }
}

/** The same item: its claim from an earlier try, or the one a backfill made for its document. */
function isOwn(rec: KeyClaim, mine: Omit<KeyClaim, '_id'>): boolean {
  return rec.doc === mine.doc || rec.src === mine.src;
}

export function slotId(base: string, gen: number): string {
  return gen === 0 ? base : `${base}#${gen}`;
}

/** `<base>#<n>` → {base, n}; a base id (whose hash is hex, so holds no `#`) is slot 0. */
export function parseSlotId(id: string): { base: string; gen: number } {
  const i = id.lastIndexOf('#');
  return i < 0 ? { base: id, gen: 0 } : { base: id.slice(0, i), gen: Number(id.slice(i + 1)) };
}
