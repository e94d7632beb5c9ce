import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SYNC_MASTER_OPTIONS, SyncMasterOptions } from '@crawlnest/sync';
import { Access } from '../access';
import { ApiErrors } from './dto/api-docs.decorators';
import { UploadLimitsDto } from './dto/spider.dto';

/** The master's upload limits, so a client can refuse an upload before sending it. */
@ApiTags('spiders')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api')
export class LimitsHttpController {
  constructor(@Inject(SYNC_MASTER_OPTIONS) private readonly limits: SyncMasterOptions) {}

  @Access('signed-in')
  @Get('limits')
  @ApiOperation({ summary: 'Upload limits: CRAWLNEST_MAX_UPLOAD_BYTES, CRAWLNEST_MAX_TREE_BYTES, CRAWLNEST_MAX_TREE_FILES' })
  @ApiOkResponse({ type: UploadLimitsDto })
  get(): UploadLimitsDto {
    return { maxUploadBytes: this.limits.maxUploadBytes, maxTreeBytes: this.limits.maxTotalBytes, maxTreeFiles: this.limits.maxFiles };
  }
}
