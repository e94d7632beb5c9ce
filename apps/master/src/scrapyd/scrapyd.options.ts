export const SCRAPYD_OPTIONS = Symbol('SCRAPYD_OPTIONS');

export type ScrapydOptions = {
  /** The root API token; basic auth's password must be it (the username is ignored). */
  apiToken: string;
  /** `node_name` in every answer. */
  nodeName: string;
  /** How long addversion.json waits for `scrapy list` on a worker. */
  listTimeoutMs: number;
};

/** Where the API is served on the REST port. */
export const SCRAPYD_PREFIX = '/scrapyd';
