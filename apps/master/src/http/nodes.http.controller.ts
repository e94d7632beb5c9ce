import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HISTORY_SLOTS, NodeAdminService, NodeEnvironmentsRepository, NodeHistoryRecorder } from '@crawlnest/node';
import { NodeEnvironmentDto } from './dto/environment.dto';
import { ApiErrors, ApiIdParam } from './dto/api-docs.decorators';
import { ListNodesQueryDto, NodeDto, NodeHistoryDto, parseLabelSelector, PatchNodeDto } from './dto/node.dto';
import { ObjectIdPipe } from './object-id.pipe';
import { Access } from '../access';

@ApiTags('nodes')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/nodes')
export class NodesHttpController {
  constructor(
    private readonly nodes: NodeAdminService,
    private readonly environments: NodeEnvironmentsRepository,
    private readonly history: NodeHistoryRecorder,
  ) {}

  @Access('signed-in')
  @Get()
  @ApiOperation({ summary: 'List worker nodes, optionally by status or label' })
  @ApiOkResponse({ type: [NodeDto] })
  @ApiErrors(400)
  list(@Query() q: ListNodesQueryDto) {
    return this.nodes.list({ status: q.status, label: q.label === undefined ? undefined : parseLabelSelector(q.label) });
  }

  @Access('signed-in')
  @Get(':id')
  @ApiOperation({ summary: 'Get one node' })
  @ApiIdParam('node')
  @ApiOkResponse({ type: NodeDto })
  @ApiErrors(400, 404)
  get(@Param('id', ObjectIdPipe) id: string) {
    return this.nodes.get(id);
  }

  @Access('signed-in')
  @Get(':id/environments')
  @ApiOperation({ summary: 'Spider dependency environments cached on the node, as its worker last reported them' })
  @ApiIdParam('node')
  @ApiOkResponse({ type: [NodeEnvironmentDto] })
  @ApiErrors(400, 404)
  async listEnvironments(@Param('id', ObjectIdPipe) id: string): Promise<NodeEnvironmentDto[]> {
    await this.nodes.get(id); // 404 for an unknown node
    const list = await this.environments.list(id);
    return list.map((e) => ({ ...e, lastUsedAt: e.lastUsedAt ? new Date(e.lastUsedAt).toISOString() : null }));
  }

  @Access('signed-in')
  @Get(':id/history')
  @ApiOperation({ summary: "The node's CPU, memory and running tasks over the last hour: one sample per 30 s slot, from its heartbeats" })
  @ApiIdParam('node')
  @ApiOkResponse({ type: NodeHistoryDto })
  @ApiErrors(400, 404)
  async getHistory(@Param('id', ObjectIdPipe) id: string): Promise<NodeHistoryDto> {
    await this.nodes.get(id); // 404 for an unknown node
    const samples = await this.history.history(id);
    return {
      slotMs: this.history.slotMs,
      windowMs: this.history.slotMs * HISTORY_SLOTS,
      samples: samples.map((s) => ({ at: new Date(s.at).toISOString(), cpuPercent: s.cpuPercent, memoryBytes: s.memoryBytes, runningTasks: s.runningTasks })),
    };
  }

  @Access('admin')
  @Patch(':id')
  @ApiOperation({ summary: 'Change labels, maxRunners or enabled (a disabled node gets no new tasks)' })
  @ApiIdParam('node')
  @ApiOkResponse({ type: NodeDto })
  @ApiErrors(400, 404, 413)
  patch(@Param('id', ObjectIdPipe) id: string, @Body() body: PatchNodeDto) {
    return this.nodes.patch(id, body);
  }

  @Access('admin')
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Forget an offline node (409 while it is online)' })
  @ApiIdParam('node')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 404, 409)
  async delete(@Param('id', ObjectIdPipe) id: string): Promise<void> {
    await this.nodes.delete(id);
  }
}
