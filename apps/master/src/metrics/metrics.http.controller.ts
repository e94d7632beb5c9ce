import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics.registry';

/** `GET /metrics` on the API port: Prometheus text, behind the bearer token like /api. */
@Controller('metrics')
export class MetricsHttpController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  async metrics(@Res({ passthrough: true }) res: Response): Promise<string> {
    const text = await this.registry.metrics();
    res.type(this.registry.contentType);
    return text;
  }
}
