import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { createReadStream } from 'node:fs';
import { fixedChunks } from '../chunking';
import { isDuplicateKeyError } from '@crawlnest/node';
import { BLOB_CHUNK_MODEL, BLOB_MODEL } from '../sync.schema';

/** Stored chunk size; also the largest message a Download stream sends (<= 1 MB). */
export const BLOB_CHUNK_BYTES = 1024 * 1024;

export type BlobRecord = { _id: string; size: number; chunks: number; createdAt: Date };
type BlobChunkRecord = { _id: string; data: Buffer | { buffer: Buffer } };

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

  async find(sha256: string): Promise<BlobRecord | null> {
    return this.blobs.findById(sha256).lean<BlobRecord>();
  }

  /**
   * Stores the content of `file` (whose sha256 the caller computed while writing it)
   * unless it is already there: content is stored once. Reads one chunk at a time, so
   * memory stays at about one chunk whatever the file size.
   */
  async putFile(sha256: string, file: string, size: number): Promise<void> {
    if (await this.exists(sha256)) return;
    let count = 0;
    for await (const part of fixedChunks(createReadStream(file, { highWaterMark: BLOB_CHUNK_BYTES }), BLOB_CHUNK_BYTES)) {
      await this.insertIgnoringDuplicate(this.chunks, { _id: `${sha256}:${count++}`, data: part });
    }
    if (count === 0) await this.insertIgnoringDuplicate(this.chunks, { _id: `${sha256}:0`, data: Buffer.alloc(0) });
    await this.insertIgnoringDuplicate(this.blobs, { _id: sha256, size, chunks: Math.max(1, count), createdAt: new Date() });
  }

  /** Yields the content chunk by chunk; memory stays at one chunk whatever the file size. */
  async *read(sha256: string): AsyncGenerator<Buffer> {
    const blob = await this.find(sha256);
    if (!blob) throw new Error(`content ${sha256} not stored`);
    yield* this.readChunks(blob);
  }

  /** Chunks of a blob already looked up (saves a round trip per download). */
  async *readChunks(blob: BlobRecord): AsyncGenerator<Buffer> {
    const sha256 = blob._id;
    for (let i = 0; i < blob.chunks; i++) {
      const chunk = await this.chunks.findById(`${sha256}:${i}`).lean<BlobChunkRecord>();
      if (!chunk) throw new Error(`content ${sha256} chunk ${i} missing`);
      yield toBuffer(chunk.data);
    }
  }


  private async insertIgnoringDuplicate<T>(model: Model<T>, doc: Record<string, unknown>): Promise<void> {
    try {
      await model.collection.insertOne(doc as never);
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
