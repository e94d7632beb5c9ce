import { Types } from 'mongoose';
import type { Db } from 'mongodb';
import { archiveCollection } from '../libs/task/src/archive-bucket';
import { placeCollection, placeOfId, SHELF_MARK_PREFIX, TaskIdGenerator } from '../libs/task/src/archive-shelf';

/**
 * Ended tasks straight into the archive (a seed, not the API path), where the master would have
 * put them: ids from the master's id generator, each task in the collection its id names (its
 * hour's shelf), after the shelf mark the creator writes in the hour collection. Seeding with
 * plain ObjectIds would store them in the layout from before shelves, which reads slower and is
 * not what a master of this version writes. `make` builds the archived document for an id.
 * Returns the ids in creation order.
 */
export async function insertArchived(
  db: Db,
  gen: TaskIdGenerator,
  created: Date[],
  make: (id: Types.ObjectId, i: number, created: Date) => Record<string, unknown>,
): Promise<string[]> {
  const ids: string[] = [];
  const marks = new Map<string, Record<string, unknown>[]>();
  const byPlace = new Map<string, Record<string, unknown>[]>();
  const push = (m: Map<string, Record<string, unknown>[]>, k: string, v: Record<string, unknown>) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  created.forEach((at, i) => {
    const made = gen.next(at.getTime());
    if (made.opens) {
      const { bucket, shelf, first } = made.opens;
      push(marks, archiveCollection(bucket), { _id: `${SHELF_MARK_PREFIX}${shelf}`, shelfMark: true, shelf, first });
    }
    ids.push(made.id);
    push(byPlace, placeCollection(placeOfId(made.id)), make(new Types.ObjectId(made.id), i, at));
  });
  // Marks first: a list that meets a shelf's task finds the shelf's mark already there, as with the master.
  for (const [coll, docs] of marks) await db.collection(coll).insertMany(docs as never[], { ordered: false });
  for (const [coll, docs] of byPlace) await db.collection(coll).insertMany(docs as never[], { ordered: false });
  return ids;
}
