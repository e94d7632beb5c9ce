import { Controller, Get, Inject } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Connection } from 'mongoose';
import { Public } from '../security/bearer-auth.guard';
import { REPLICA_ID } from '../tokens';
import { HealthDto } from './dto/health.dto';

@ApiTags('health')
@Controller('api')
export class HealthHttpController {
  constructor(
    @InjectConnection() private readonly db: Connection,
    @Inject(REPLICA_ID) private readonly replica: string,
  ) {}

  @Public()
  @Get('health')
  @ApiOperation({ summary: 'Liveness and database reachability (no token needed)' })
  @ApiOkResponse({ type: HealthDto })
  async health(): Promise<{ status: 'ok' | 'degraded'; db: 'up' | 'down'; replica: string }> {
    const up = await Promise.race([
      this.db.db?.admin().ping().then(() => true, () => false) ?? Promise.resolve(false),
      new Promise<boolean>((r) => setTimeout(() => r(false), 2000)),
    ]);
    return { status: up ? 'ok' : 'degraded', db: up ? 'up' : 'down', replica: this.replica };
  }
}
