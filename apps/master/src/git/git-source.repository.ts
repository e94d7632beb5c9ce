import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { boxedFromParts, isDuplicateKeyError } from '@crawlnest/node';
import { GIT_COMMIT_MODEL, GIT_PULL_CLAIM_MODEL, GIT_SOURCE_MODEL } from './git-source.schema';

export type GitSourceRecord = {
  _id: string;
  url: string;
  ref: string;
  path: string;
  username: string | null;
  /** SecretBox's boxed form. */
  credential: string | null;
  autoPullSec: number;
  lastCommit: string | null;
  lastTree: string | null;
  lastPulledAt: Date | null;
  lastError: string | null;
  /** ssh sources: the server's host key as ssh wrote it on first use (known_hosts lines), and its fingerprint. */
  knownHosts: string | null;
  hostKeyFingerprint: string | null;
  updatedAt: Date;
};
export type VersionCommit = { spiderId: string; version: number; commit: string; author: string; message: string; committedAt: Date; ref: string };

type LegacySealed = { v: number; iv: string; tag: string; data: string };
type StoredSource = Omit<GitSourceRecord, 'credential' | 'knownHosts' | 'hostKeyFingerprint'> & {
  credential: string | LegacySealed | null;
  knownHosts?: string | null;
  hostKeyFingerprint?: string | null;
};

/** Sources saved before SecretBox hold the credential as an object: the same cipher, boxed here. */
function fromStored(s: StoredSource): GitSourceRecord {
  return {
    ...s,
    credential: s.credential === null || typeof s.credential === 'string' ? s.credential : boxedFromParts(s.credential),
    knownHosts: s.knownHosts ?? null,
    hostKeyFingerprint: s.hostKeyFingerprint ?? null,
  };
}

/** Git sources, the commit of each pulled version, and auto-pull claims. All small collections. */
@Injectable()
export class GitSourceRepository {
  constructor(
    @InjectModel(GIT_SOURCE_MODEL) private readonly sources: Model<GitSourceRecord>,
    @InjectModel(GIT_COMMIT_MODEL) private readonly commits: Model<VersionCommit & { _id: string }>,
    @InjectModel(GIT_PULL_CLAIM_MODEL) private readonly claims: Model<{ _id: string; spiderId: string; replica: string; at: Date }>,
  ) {}

  async find(spiderId: string): Promise<GitSourceRecord | null> {
    const s = await this.sources.findById(spiderId).lean<StoredSource>();
    return s ? fromStored(s) : null;
  }

  /** Every source (a scan: one document per git-backed spider). */
  async all(): Promise<GitSourceRecord[]> {
    return (await this.sources.find({}).lean<StoredSource[]>()).map(fromStored);
  }

  async save(s: GitSourceRecord): Promise<void> {
    await this.sources.replaceOne({ _id: s._id }, s, { upsert: true });
  }

  async recordPull(spiderId: string, set: Pick<GitSourceRecord, 'lastPulledAt' | 'lastError'> & Partial<Pick<GitSourceRecord, 'lastCommit' | 'lastTree' | 'knownHosts' | 'hostKeyFingerprint'>>): Promise<void> {
    await this.sources.updateOne({ _id: spiderId }, { $set: set });
  }

  async delete(spiderId: string): Promise<void> {
    await this.sources.deleteOne({ _id: spiderId });
  }

  async saveCommit(c: VersionCommit): Promise<void> {
    await this.commits.replaceOne({ _id: `${c.spiderId}:${c.version}` }, { ...c, _id: `${c.spiderId}:${c.version}` }, { upsert: true });
  }

  /** The commit one version was pulled from (an `_id` lookup); null for an uploaded version. */
  async commitOf(spiderId: string, version: number): Promise<VersionCommit | null> {
    return this.commits.findById(`${spiderId}:${version}`, { _id: 0 }).lean<VersionCommit>();
  }

  async commitsOf(spiderId: string): Promise<VersionCommit[]> {
    return this.commits.find({ spiderId }, { _id: 0 }).lean<VersionCommit[]>();
  }

  /** true for the one replica whose insert of this slot wins (unique `_id`: atomic everywhere). */
  async claimSlot(spiderId: string, slot: number, replica: string): Promise<boolean> {
    try {
      await this.claims.create({ _id: `${spiderId}:${slot}`, spiderId, replica, at: new Date() });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async forgetClaimsBefore(at: Date): Promise<void> {
    await this.claims.deleteMany({ at: { $lt: at } });
  }
}
