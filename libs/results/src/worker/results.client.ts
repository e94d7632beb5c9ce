import { Injectable } from '@nestjs/common';
import { MasterLinkClient, unaryCall } from '@crawlnest/node';

const CALL_TIMEOUT_MS = 15_000;
const LINK_WAIT_MS = 5000;

export type WireItem = { seq: number; tsMs: number; json: string; error: string };
export type AppendResultsAnswer = {
  accepted: boolean;
  reason: string;
  stored: number;
  duplicates: number;
  refused: { seq: string | number; reason: string }[];
};

/** ResultService calls to whichever master the link is connected to. */
@Injectable()
export class ResultsClient {
  constructor(private readonly link: MasterLinkClient) {}

  async append(ref: { taskId: string; attempt: number; nodeId: string }, items: WireItem[]): Promise<AppendResultsAnswer> {
    const clients = await this.link.waitConnected(LINK_WAIT_MS);
    return unaryCall(clients.results, 'AppendResults', { ref, items }, this.link.metadata, CALL_TIMEOUT_MS);
  }
}
