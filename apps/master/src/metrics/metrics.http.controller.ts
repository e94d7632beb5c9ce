import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '../http/dto/api-docs.decorators';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics.registry';
import { Access } from '../access';

/** `GET /metrics` on the API port: Prometheus text, behind the bearer token like /api. */
@ApiTags('health')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('metrics')
export class MetricsHttpController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Access('admin')
  @Get()
  @ApiOperation({ summary: 'Prometheus metrics of this replica (text format; also without a token on CRAWLNEST_METRICS_PORT)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  async metrics(@Res({ passthrough: true }) res: Response): Promise<string> {
    const text = await this.registry.metrics();
    res.type(this.registry.contentType);
    return text;
  }
}
