import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, mongo } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { fixedChunks } from '../chunking';
import { isDuplicateKeyError } from '@crawlnest/node';
import { BLOB_CHUNK_MODEL, BLOB_MODEL } from '../sync.schema';

/** Stored chunk size; also the largest message a Download stream sends (<= 1 MB). */
export const BLOB_CHUNK_BYTES = 1024 * 1024;

/**
 * `layout` 3: chunks `<sha>:<gen>:<i>` spread over the shard collections; 2: the same without
 * `gen`; absent: all in `blob_chunks`. `gen` is new at each store, so a blob collected while the
 * same content is stored again never shares chunks with the new copy (storage-gc.service.ts).
 * `touchedAt`: the last upload that stored or reused it; collection waits a grace period after it.
 */
export type BlobRecord = { _id: string; size: number; chunks: number; createdAt: Date; layout?: number; gen?: string; touchedAt?: Date };
type BlobChunkRecord = { _id: string; data: Buffer | { buffer: Buffer } };
/** Raw documents as the driver writes them (mongoose's schema casting is not needed here). */
type RawDoc = { _id: string } & Record<string, unknown>;
type Collection<T extends mongo.Document> = mongo.Collection<T>;

const SHARDED_LAYOUT = 2;
const GENERATION_LAYOUT = 3;
const SHARDS = 256;

/**
 * Which collection holds chunk `index` of a blob. FerretDB 1.x on SQLite finds a document
 * by `_id` by scanning its collection and parsing every row before it (no index is used),
 * so one collection of 1 MB chunks costs O(bytes stored) per chunk read: a 200 MB file read
 * in 1 MB chunks took minutes. Spreading chunks over 256 collections, consecutive chunks
 * of a blob in consecutive shards, keeps each scan at about 1/256 of the stored bytes.
 */
export function chunkShard(sha256: string, index: number): string {
  const shard = (parseInt(sha256.slice(0, 2), 16) + index) % SHARDS;
  return `blob_chunks_${shard.toString(16).padStart(2, '0')}`;
}

/**
 * Content-addressed file storage in the database, so any master replica serves any file.
 * Chunks go first, the blob document last: a blob document means its content is complete.
 */
@Injectable()
export class BlobRepository {
  constructor(
    @InjectModel(BLOB_MODEL) private readonly blobs: Model<BlobRecord>,
    @InjectModel(BLOB_CHUNK_MODEL) private readonly chunks: Model<BlobChunkRecord>,
  ) {}

  async exists(sha256: string): Promise<boolean> {
    return (await this.blobs.exists({ _id: sha256 })) !== null;
  }

  /** Marks stored content as reused now (a restore): the collector waits its grace period. */
  async touch(sha256s: string[]): Promise<void> {
    const ids = [...new Set(sha256s)];
    // One `_id` update each: `_id` equality is the only cheap filter on FerretDB.
    for (const id of ids) await this.blobs.updateOne({ _id: id }, { $set: { touchedAt: new Date() } });
  }

  /** The whole content of a small file (callers check the size first). */
  async readAll(sha256: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const c of this.read(sha256)) parts.push(c);
    return Buffer.concat(parts);
  }

  async find(sha256: string): Promise<BlobRecord | null> {
    return this.blobs.findById(sha256).lean<BlobRecord>();
  }

  /**
   * Stores the content of `file` (whose sha256 the caller computed while writing it)
   * unless it is already there: content is stored once. Reads one chunk at a time, so
   * memory stays at about one chunk whatever the file size.
   */
  async putFile(sha256: string, file: string, size: number): Promise<void> {
    if (await this.exists(sha256)) {
      // Reused content: the collector must not take it during this upload's grace period.
      await this.blobs.updateOne({ _id: sha256 }, { $set: { touchedAt: new Date() } });
      return;
    }
    const gen = randomBytes(6).toString('hex');
    let count = 0;
    for await (const part of fixedChunks(createReadStream(file, { highWaterMark: BLOB_CHUNK_BYTES }), BLOB_CHUNK_BYTES)) {
      await this.insertIgnoringDuplicate(this.shard(sha256, count), { _id: `${sha256}:${gen}:${count}`, data: part });
      count++;
    }
    if (count === 0) await this.insertIgnoringDuplicate(this.shard(sha256, 0), { _id: `${sha256}:${gen}:0`, data: Buffer.alloc(0) });
    const now = new Date();
    await this.insertIgnoringDuplicate(this.raw(this.blobs), {
      _id: sha256,
      size,
      chunks: Math.max(1, count),
      layout: GENERATION_LAYOUT,
      gen,
      createdAt: now,
      touchedAt: now,
    });
  }

  /** Every blob's id, size and age, for the collector. */
  async listForSweep(): Promise<BlobRecord[]> {
    return this.blobs.find({}, { _id: 1, size: 1, chunks: 1, layout: 1, gen: 1, createdAt: 1, touchedAt: 1 }).lean<BlobRecord[]>();
  }

  /**
   * Deletes a blob unless an upload touched it since `cutoff`: its document first (from then on
   * an upload of the same content stores a new generation), then its chunks.
   * True when this call removed it.
   */
  async deleteIfUntouched(blob: BlobRecord, cutoff: Date): Promise<boolean> {
    const res = await this.blobs.deleteOne({
      _id: blob._id,
      $or: [{ touchedAt: { $lt: cutoff } }, { touchedAt: { $exists: false }, createdAt: { $lt: cutoff } }],
    });
    if (res.deletedCount === 0) return false;
    for (let i = 0; i < blob.chunks; i++) {
      const id = blob.layout === GENERATION_LAYOUT ? `${blob._id}:${blob.gen}:${i}` : `${blob._id}:${i}`;
      const from = blob.layout === GENERATION_LAYOUT || blob.layout === SHARDED_LAYOUT ? this.shard(blob._id, i) : this.raw(this.chunks);
      await from.deleteOne({ _id: id });
    }
    return true;
  }

  /** Yields the content chunk by chunk; memory stays at one chunk whatever the file size. */
  async *read(sha256: string): AsyncGenerator<Buffer> {
    const blob = await this.find(sha256);
    if (!blob) throw new Error(`content ${sha256} not stored`);
    yield* this.readChunks(blob);
  }

  /** Chunks of a blob already looked up (saves a round trip per download). */
  async *readChunks(blob: BlobRecord): AsyncGenerator<Buffer> {
    for (let i = 0; i < blob.chunks; i++) yield await this.readChunk(blob, i);
  }

  async readChunk(blob: BlobRecord, index: number): Promise<Buffer> {
    const sha256 = blob._id;
    const sharded = blob.layout === SHARDED_LAYOUT || blob.layout === GENERATION_LAYOUT;
    const from = sharded ? this.shard(sha256, index) : this.raw(this.chunks);
    const id = blob.layout === GENERATION_LAYOUT ? `${sha256}:${blob.gen}:${index}` : `${sha256}:${index}`;
    const chunk = (await from.findOne({ _id: id })) as BlobChunkRecord | null;
    if (!chunk) throw new Error(`content ${sha256} chunk ${index} missing`);
    return toBuffer(chunk.data);
  }

  private shard(sha256: string, index: number): Collection<RawDoc> {
    return this.chunks.db.getClient().db(this.chunks.db.name).collection<RawDoc>(chunkShard(sha256, index));
  }

  private raw<T>(model: Model<T>): Collection<RawDoc> {
    return this.chunks.db.getClient().db(this.chunks.db.name).collection<RawDoc>(model.collection.collectionName);
  }

  private async insertIgnoringDuplicate(collection: Collection<RawDoc>, doc: RawDoc): Promise<void> {
    try {
      await collection.insertOne(doc);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err; // a concurrent upload stored the same content
    }
  }
}

function toBuffer(data: Buffer | { buffer: Buffer }): Buffer {
  if (Buffer.isBuffer(data)) return data;
  // lean() reads BSON Binary, whose bytes live in `.buffer`
  return Buffer.from((data as { buffer: Buffer }).buffer);
}
