import { Schema } from 'mongoose';

export const GIT_SOURCE_MODEL = 'GitSource';
export const GIT_COMMIT_MODEL = 'GitVersionCommit';
export const GIT_PULL_CLAIM_MODEL = 'GitPullClaim';

/**
 * A spider's git source (`_id` = spider id). Kept apart from `spiders` (written by create and
 * PATCH only, docs/consistency.md): pulls write here often. The credential is sealed
 * (SecretBox of @crawlnest/node: a `v1.…` string; sources set before it hold the same cipher
 * as an object `{v, iv, tag, data}`, read by the repository); the URL holds none.
 */
export const GitSourceSchema = new Schema(
  {
    _id: { type: String, required: true },
    url: { type: String, required: true },
    ref: { type: String, required: true },
    path: { type: String, default: '' },
    username: { type: String, default: null },
    credential: { type: Schema.Types.Mixed, default: null },
    autoPullSec: { type: Number, default: 0 },
    lastCommit: { type: String, default: null },
    lastTree: { type: String, default: null },
    lastPulledAt: { type: Date, default: null },
    lastError: { type: String, default: null },
    knownHosts: { type: String, default: null },
    hostKeyFingerprint: { type: String, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'git_sources', versionKey: false },
);

/** The commit a version was made from (`_id` = `<spiderId>:<version>`, as spider_versions). */
export const GitVersionCommitSchema = new Schema(
  {
    _id: { type: String, required: true },
    spiderId: { type: String, required: true },
    version: { type: Number, required: true },
    commit: { type: String, required: true },
    author: { type: String, required: true },
    message: { type: String, required: true },
    committedAt: { type: Date, required: true },
    ref: { type: String, required: true },
  },
  { collection: 'git_version_commits', versionKey: false },
);

/** One auto-pull slot of one spider (`_id` = `<spiderId>:<slot>`): the replica whose insert wins pulls. */
export const GitPullClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    spiderId: { type: String, required: true },
    replica: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'git_pull_claims', versionKey: false },
);
