import { BadRequestException, Controller, Get, Param, ParseIntPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SpiderFilesService, SpiderVersionsService } from '@crawlnest/sync';
import { ApiErrors, ApiFilePathParam, ApiIdParam } from './dto/api-docs.decorators';
import { FilesVersionDto, ManifestEntryDto, VersionDiffDto } from './dto/spider.dto';
import { Access, param } from '../access';
import { ObjectIdPipe } from './object-id.pipe';

const versionParam = (name: string, description: string) => ApiParam({ name, description, schema: { type: 'integer', minimum: 1 }, example: 3 });
/** A version number from the path: 400 unless it is an integer. */
const versionPipe = () => new ParseIntPipe({ exceptionFactory: () => new BadRequestException('version: expected a version number') });

/** The versions a spider keeps, read-only, and restoring one as a new version. */
@ApiTags('spiders')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/spiders')
export class SpiderVersionsHttpController {
  constructor(
    private readonly versions: SpiderVersionsService,
    private readonly files: SpiderFilesService,
  ) {}

  @Access('read', param('spider'))
  @Get(':id/versions/:version/files')
  @ApiOperation({ summary: 'The manifest of one kept version (404 for a version retention dropped)' })
  @ApiIdParam('spider')
  @versionParam('version', 'Version number')
  @ApiOkResponse({ type: [ManifestEntryDto] })
  @ApiErrors(400, 404)
  manifest(@Param('id', ObjectIdPipe) id: string, @Param('version', versionPipe()) version: number) {
    return this.versions.files(id, version);
  }

  @Access('read', param('spider'))
  @Get(':id/versions/:version/files/*path')
  @ApiOperation({ summary: 'Download one file of one kept version (raw bytes)' })
  @ApiIdParam('spider')
  @versionParam('version', 'Version number')
  @ApiFilePathParam()
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The file content', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(400, 404)
  async readFile(
    @Param('id', ObjectIdPipe) id: string,
    @Param('version', versionPipe()) version: number,
    @Param('path') path: string | string[],
    @Res() res: Response,
  ): Promise<void> {
    const content = await this.versions.readFile(id, version, Array.isArray(path) ? path.join('/') : path);
    res.type('application/octet-stream').setHeader('content-length', String(content.size));
    await pipeline(Readable.from(content.chunks), res);
  }

  @Access('read', param('spider'))
  @Get(':id/versions/:a/diff/:b')
  @ApiOperation({ summary: 'Files added, removed and changed from version a to version b, with a unified diff for text files under 1 MiB' })
  @ApiIdParam('spider')
  @versionParam('a', 'The first version')
  @versionParam('b', 'The second version')
  @ApiOkResponse({ type: VersionDiffDto })
  @ApiErrors(400, 404)
  diff(@Param('id', ObjectIdPipe) id: string, @Param('a', versionPipe()) a: number, @Param('b', versionPipe()) b: number) {
    return this.versions.diff(id, a, b);
  }

  @Access('edit', param('spider'))
  @Post(':id/versions/:version/restore')
  @ApiOperation({ summary: "Make a new version with that version's files (history only grows; `unchanged` when it already is the current tree)" })
  @ApiIdParam('spider')
  @versionParam('version', 'The version to restore')
  @ApiCreatedResponse({ type: FilesVersionDto })
  @ApiErrors(400, 404)
  async restore(@Param('id', ObjectIdPipe) id: string, @Param('version', versionPipe()) version: number) {
    const r = await this.files.restore(id, version);
    return r.unchanged ? { version: r.version, unchanged: true } : { version: r.version };
  }
}
