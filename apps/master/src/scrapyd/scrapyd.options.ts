export const SCRAPYD_OPTIONS = Symbol('SCRAPYD_OPTIONS');

export type ScrapydOptions = {
  /** `node_name` in every answer. */
  nodeName: string;
  /** How long addversion.json waits for `scrapy list` on a worker. */
  listTimeoutMs: number;
};

/** Where the API is served on the REST port. */
export const SCRAPYD_PREFIX = '/scrapyd';
