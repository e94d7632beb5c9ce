import { Controller, Delete, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { ResultsQueryService } from '@crawlnest/results';
import { ApiErrors, ApiIdParam } from './dto/api-docs.decorators';
import { DeleteResultsQueryDto, ExportQueryDto, ResultPageDto, ResultPageQueryDto, ResultsDeletedDto, SpiderResultQueryDto } from './dto/results.dto';
import { ObjectIdPipe } from './object-id.pipe';
import { csvStream, jsonStream } from './results-export';
import { Access, param } from '../access';

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8', jsonl: 'application/x-ndjson; charset=utf-8' };

@ApiTags('results')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api')
export class ResultsHttpController {
  constructor(private readonly results: ResultsQueryService) {}

  @Access('read', param('task'))
  @Get('tasks/:id/results')
  @ApiOperation({ summary: "A task's results, newest first, a page at a time" })
  @ApiIdParam('task')
  @ApiOkResponse({ type: ResultPageDto })
  @ApiErrors(400, 404)
  taskResults(@Param('id', ObjectIdPipe) id: string, @Query() q: ResultPageQueryDto) {
    return this.results.taskPage(id, q.page, q.size);
  }

  @Access('read', param('spider'))
  @Get('spiders/:id/results')
  @ApiOperation({ summary: "A spider's results, newest first (optionally of one task, or with one field equal to a value)" })
  @ApiIdParam('spider')
  @ApiOkResponse({ type: ResultPageDto })
  @ApiErrors(400, 404)
  spiderResults(@Param('id', ObjectIdPipe) id: string, @Query() q: SpiderResultQueryDto) {
    return this.results.spiderPage(id, { taskId: q.taskId, field: q.field, value: q.value, cursor: q.cursor }, q.page, q.size);
  }

  @Access('read', param('spider'))
  @Get('spiders/:id/results/fields')
  @ApiOperation({ summary: "Top-level fields seen in the spider's results collection, in first-seen order (kept as items arrive, no scan)" })
  @ApiIdParam('spider')
  @ApiOkResponse({ type: [String], description: 'Field names, as stored (escaped keys)' })
  @ApiErrors(400, 404)
  fields(@Param('id', ObjectIdPipe) id: string) {
    return this.results.fields(id);
  }

  @Access('read', param('spider'))
  @Get('spiders/:id/results/export')
  @ApiOperation({ summary: 'Download results as CSV (a column per field seen, nested values as JSON), a JSON array or JSON lines; streamed' })
  @ApiIdParam('spider')
  @ApiProduces('text/csv', 'application/json', 'application/x-ndjson')
  @ApiOkResponse({ description: 'The file, in storage order (about oldest first)', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(400, 404)
  async export(@Param('id', ObjectIdPipe) id: string, @Query() q: ExportQueryDto, @Res() res: Response): Promise<void> {
    const { spider, fields, cursor } = await this.results.exportSource(id, q.taskId);
    const name = `${spider.resultsCollection}${q.taskId ? `-${q.taskId}` : ''}.${q.format}`;
    res.setHeader('content-type', CONTENT_TYPES[q.format]);
    res.setHeader('content-disposition', `attachment; filename="${name}"`);
    const body = q.format === 'csv' ? csvStream(cursor, fields, q.bom === '1') : jsonStream(cursor, q.format === 'jsonl');
    try {
      await pipeline(body, res);
    } finally {
      await cursor.close();
    }
  }

  @Access('edit', param('spider'))
  @Delete('spiders/:id/results')
  @ApiOperation({ summary: "Delete a spider's results (or one task's); counts follow" })
  @ApiIdParam('spider')
  @ApiOkResponse({ type: ResultsDeletedDto })
  @ApiErrors(400, 404)
  delete(@Param('id', ObjectIdPipe) id: string, @Query() q: DeleteResultsQueryDto) {
    return this.results.delete(id, q.taskId);
  }
}
