import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, MongooseHealthIndicator } from '@nestjs/terminus';
import { Public } from '../security/bearer-auth.guard';
import { REPLICA_ID } from '../tokens';
import { HealthDto } from './dto/health.dto';

export type HealthView = {
  status: 'ok' | 'degraded';
  db: 'up' | 'down';
  replica: string;
  /** Terminus's per-check details (the database ping and its error, if any). */
  details: HealthCheckResult['details'];
};

/**
 * API.md's health shape on top of terminus: the database ping decides `db`. It answers 200
 * either way (the body says degraded) so a replica that lost its database still tells why.
 */
@ApiTags('health')
@Controller('api')
export class HealthHttpController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongo: MongooseHealthIndicator,
    @Inject(REPLICA_ID) private readonly replica: string,
  ) {}

  @Public()
  @Get('health')
  @ApiOperation({ summary: 'Liveness and database reachability (no token needed)' })
  @ApiOkResponse({ type: HealthDto })
  async check(): Promise<HealthView> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([() => this.mongo.pingCheck('db', { timeout: 2000 })]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      result = err.getResponse() as HealthCheckResult;
    }
    const up = result.details.db?.status === 'up';
    return { status: up ? 'ok' : 'degraded', db: up ? 'up' : 'down', replica: this.replica, details: result.details };
  }
}
