import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../http/dto/api-docs.decorators';
import { Access, query } from './access.decorator';
import { AuditEventDto, AuditQueryDto } from './access.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/audit')
export class AuditHttpController {
  constructor(private readonly audit: AuditService) {}

  /** Without projectId: admins only; with it: that project's owners too. */
  @Access('manage', query('project', 'projectId', 'admin'))
  @Get()
  @ApiOperation({ summary: 'The audit log, newest first (admins; owners with their projectId)' })
  @ApiOkResponse({ type: [AuditEventDto] })
  @ApiErrors(400, 404)
  async list(@Query() q: AuditQueryDto) {
    const events = await this.audit.list({ userId: q.userId, projectId: q.projectId, action: q.action, after: q.after ? new Date(q.after) : undefined }, q.limit);
    return events.map((e) => ({ ...e, at: e.at.toISOString() }));
  }
}
