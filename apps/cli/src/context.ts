import { CrawlnestApi } from './api/crawlnest-api';
import { HttpClient } from './api/http-client';
import { resolveConnection } from './config/profile';

/** The API client for this invocation, from CRAWLNEST_URL/CRAWLNEST_TOKEN or the saved profile. */
export function connect(): CrawlnestApi {
  return new CrawlnestApi(new HttpClient(resolveConnection()));
}
