import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { BLOB_CHUNK_MODEL, BLOB_MODEL } from '../sync.schema';

/** Stored chunk size; also the largest message a Download stream sends (<= 1 MB). */
export const BLOB_CHUNK_BYTES = 1024 * 1024;

type BlobRecord = { _id: string; size: number; chunks: number; createdAt: Date };
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

  /** Stores `data` under its sha256 unless it is already there (content is stored once). */
  async put(sha256: string, data: Buffer): Promise<void> {
    if (await this.exists(sha256)) return;
    const count = Math.max(1, Math.ceil(data.length / BLOB_CHUNK_BYTES));
    for (let i = 0; i < count; i++) {
      const part = data.subarray(i * BLOB_CHUNK_BYTES, (i + 1) * BLOB_CHUNK_BYTES);
      await this.insertIgnoringDuplicate(this.chunks, { _id: `${sha256}:${i}`, data: part });
    }
    await this.insertIgnoringDuplicate(this.blobs, {
      _id: sha256,
      size: data.length,
      chunks: count,
      createdAt: new Date(),
    });
  }

  /** Yields the content chunk by chunk; memory stays at one chunk whatever the file size. */
  async *read(sha256: string): AsyncGenerator<Buffer> {
    const blob = await this.find(sha256);
    if (!blob) throw new Error(`content ${sha256} not stored`);
    for (let i = 0; i < blob.chunks; i++) {
      const chunk = await this.chunks.findById(`${sha256}:${i}`).lean<BlobChunkRecord>();
      if (!chunk) throw new Error(`content ${sha256} chunk ${i} missing`);
      yield toBuffer(chunk.data);
    }
  }

  async readAll(sha256: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const p of this.read(sha256)) parts.push(p);
    return Buffer.concat(parts);
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
