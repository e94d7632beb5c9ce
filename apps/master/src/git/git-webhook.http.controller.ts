import { Controller, ForbiddenException, HttpCode, Inject, Logger, Post, Req, UnauthorizedException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorDto } from '../http/dto/error.dto';
import { GitWebhookResultDto } from './git-source.dto';
import type { Request } from 'express';
import { BadInputError, PayloadTooLargeError } from '@crawlnest/node';
import { Public } from '../security/bearer-auth.guard';
import { GIT_OPTIONS, GitOptions } from './git.options';
import { GitPullService } from './git-pull.service';
import { providerOf, pushEvent, refMatches, signatureValid } from './webhook-event';

const MAX_BODY = 5 * 1024 * 1024;

/**
 * Push events from GitHub, GitLab and Gitea. No bearer token: each service's signature with
 * CRAWLNEST_GIT_WEBHOOK_SECRET is the proof, checked on the raw body (the JSON parser skips
 * this route).
 */
@ApiTags('git')
@Public()
@Controller('api/git')
export class GitWebhookHttpController {
  private readonly log = new Logger('GitWebhook');

  constructor(
    private readonly git: GitPullService,
    @Inject(GIT_OPTIONS) private readonly opts: GitOptions,
  ) {}

  @Post('webhook')
  @HttpCode(200)
  @ApiOperation({ summary: 'Push webhook (GitHub, GitLab, Gitea): pulls the spiders whose repository and branch match; no bearer token, the signature is the proof' })
  @ApiOkResponse({ type: GitWebhookResultDto })
  @ApiResponse({ status: 400, description: 'Not a GitHub, GitLab or Gitea event, or not JSON', type: ErrorDto })
  @ApiResponse({ status: 401, description: 'Bad signature', type: ErrorDto })
  @ApiResponse({ status: 403, description: 'Webhooks are off (CRAWLNEST_GIT_WEBHOOK_SECRET unset)', type: ErrorDto })
  async webhook(@Req() req: Request) {
    if (!this.opts.webhookSecret) throw new ForbiddenException('webhooks are off: set CRAWLNEST_GIT_WEBHOOK_SECRET');
    const body = await rawBody(req);
    const provider = providerOf(req.headers);
    if (!provider) throw new BadInputError('not a GitHub, GitLab or Gitea webhook (no X-GitHub-Event, X-Gitlab-Event or X-Gitea-Event header)');
    if (!signatureValid(provider, req.headers, body, this.opts.webhookSecret)) {
      this.log.warn({ msg: 'webhook signature refused', provider, ip: req.ip });
      throw new UnauthorizedException(`${provider} webhook: bad signature`);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      throw new BadInputError('webhook body: expected JSON (set the content type to application/json)');
    }
    const push = pushEvent(provider, req.headers, payload);
    if (!push) return { provider, event: 'ignored', pulled: [] };
    const pulled = await this.git.pullMatching(push.repoUrls, (ref) => refMatches(ref, push.ref));
    this.log.log({ msg: 'webhook push', provider, ref: push.ref, pulled: pulled.length });
    return { provider, event: 'push', ref: push.ref, pulled };
  }
}

async function rawBody(req: Request): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new PayloadTooLargeError(`webhook body: larger than ${MAX_BODY} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
