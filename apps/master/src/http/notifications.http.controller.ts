import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { NotifyService } from '@crawlnest/notify';
import { ApiErrors, ApiIdParam } from './dto/api-docs.decorators';
import {
  ChannelDto,
  ChannelTestResultDto,
  CreateChannelDto,
  CreateRuleDto,
  DeliveryDto,
  ListDeliveriesQueryDto,
  ListRulesQueryDto,
  PatchChannelDto,
  PatchRuleDto,
  RuleDto,
} from './dto/notify.dto';
import { Access, body, param, VisibilityService } from '../access';
import { ObjectIdPipe } from './object-id.pipe';

/**
 * Notification channels, rules and the deliveries history (docs/notifications.md). Channels
 * and rules belong to a project (editors and owners manage them, viewers read them) or are
 * global (`projectId: null`, admins only); deliveries follow their channel's project.
 */
@ApiTags('notifications')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/notifications')
export class NotificationsHttpController {
  @Inject(VisibilityService) private readonly visibility!: VisibilityService;

  constructor(private readonly notify: NotifyService) {}

  @Post('channels')
  @ApiOperation({ summary: 'Create a channel (webhook, slack-style chat webhook, email); secrets are stored encrypted and never returned' })
  @ApiCreatedResponse({ type: ChannelDto })
  @ApiErrors(400, 404)
  @Access('edit', body('project', 'projectId', 'single-project', 'admin'))
  createChannel(@Body() body: CreateChannelDto) {
    return this.notify.createChannel(body);
  }

  @Get('channels')
  @ApiOperation({ summary: 'List channels (without their secrets)' })
  @ApiOkResponse({ type: [ChannelDto] })
  @Access('signed-in')
  listChannels(@Req() req: Request) {
    return this.notify.listChannels(undefined, this.visibility.projectIds(req));
  }

  @Get('channels/:id')
  @ApiOperation({ summary: 'Get one channel (without its secrets)' })
  @ApiIdParam('channel')
  @ApiOkResponse({ type: ChannelDto })
  @ApiErrors(400, 404)
  @Access('read', param('channel'))
  getChannel(@Param('id', ObjectIdPipe) id: string) {
    return this.notify.getChannel(id);
  }

  @Patch('channels/:id')
  @ApiOperation({ summary: 'Change a channel; secrets given replace the stored ones' })
  @ApiIdParam('channel')
  @ApiOkResponse({ type: ChannelDto })
  @ApiErrors(400, 404)
  @Access('edit', param('channel'), body('project', 'projectId', 'skip', 'admin'))
  patchChannel(@Param('id', ObjectIdPipe) id: string, @Body() body: PatchChannelDto) {
    return this.notify.patchChannel(id, body);
  }

  @Delete('channels/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a channel no rule uses' })
  @ApiIdParam('channel')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 404)
  @Access('edit', param('channel'))
  async deleteChannel(@Param('id', ObjectIdPipe) id: string): Promise<void> {
    await this.notify.deleteChannel(id);
  }

  @Post('channels/:id/test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a test message now and answer with the outcome' })
  @ApiIdParam('channel')
  @ApiOkResponse({ type: ChannelTestResultDto })
  @ApiErrors(400, 404)
  @Access('edit', param('channel'))
  testChannel(@Param('id', ObjectIdPipe) id: string) {
    return this.notify.testChannel(id);
  }

  @Post('rules')
  @ApiOperation({ summary: 'Create a rule: which events of which spiders go to which channels' })
  @ApiCreatedResponse({ type: RuleDto })
  @ApiErrors(400, 404)
  @Access('edit', body('project', 'projectId', 'single-project', 'admin'), body('channel', 'channelIds'))
  createRule(@Body() body: CreateRuleDto) {
    return this.notify.createRule(body);
  }

  @Get('rules')
  @ApiOperation({ summary: 'List rules' })
  @ApiOkResponse({ type: [RuleDto] })
  @ApiErrors(400)
  @Access('signed-in')
  listRules(@Query() q: ListRulesQueryDto, @Req() req: Request) {
    return this.notify.listRules(q, this.visibility.projectIds(req));
  }

  @Get('rules/:id')
  @ApiOperation({ summary: 'Get one rule' })
  @ApiIdParam('rule')
  @ApiOkResponse({ type: RuleDto })
  @ApiErrors(400, 404)
  @Access('read', param('rule'))
  getRule(@Param('id', ObjectIdPipe) id: string) {
    return this.notify.getRule(id);
  }

  @Patch('rules/:id')
  @ApiOperation({ summary: 'Change a rule' })
  @ApiIdParam('rule')
  @ApiOkResponse({ type: RuleDto })
  @ApiErrors(400, 404)
  @Access('edit', param('rule'), body('project', 'projectId', 'skip', 'admin'), body('channel', 'channelIds', 'skip'))
  patchRule(@Param('id', ObjectIdPipe) id: string, @Body() body: PatchRuleDto) {
    return this.notify.patchRule(id, body);
  }

  @Delete('rules/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a rule' })
  @ApiIdParam('rule')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 404)
  @Access('edit', param('rule'))
  async deleteRule(@Param('id', ObjectIdPipe) id: string): Promise<void> {
    await this.notify.deleteRule(id);
  }

  @Get('deliveries')
  @ApiOperation({ summary: 'Deliveries, newest first: status, attempts, response code, last error, latency' })
  @ApiOkResponse({ type: [DeliveryDto] })
  @ApiErrors(400)
  @Access('signed-in')
  listDeliveries(@Query() q: ListDeliveriesQueryDto, @Req() req: Request) {
    return this.notify.listDeliveries({ ...q, after: q.after ? new Date(q.after) : undefined, limit: q.limit ?? 100, projectIds: this.visibility.projectIds(req) });
  }

  @Post('deliveries/:id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a delivery again (same delivery id), with a fresh set of attempts' })
  @ApiParam({ name: 'id', description: 'Delivery id' })
  @ApiOkResponse({ type: DeliveryDto })
  @ApiErrors(400, 404)
  @Access('edit', param('delivery'))
  retryDelivery(@Param('id') id: string) {
    return this.notify.retryDelivery(id);
  }
}
