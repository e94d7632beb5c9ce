import { BadRequestException, Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Req, Res, UnsupportedMediaTypeException, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import 'multer';
import { Readable } from 'node:stream';
import * as yazl from 'yazl';
import { parseFileChanges, removeStaged, SpiderFilesService, SpiderService, SpiderVersionsService, StagedFile } from '@crawlnest/sync';
import { Access, param } from '../access';
import { ApiErrors, ApiIdParam } from './dto/api-docs.decorators';
import { FileChangesDto, FilesVersionDto } from './dto/spider.dto';
import { ObjectIdPipe } from './object-id.pipe';
import type { StagedPart } from './upload-staging.storage';
import { withUploadLimitHint } from './upload-limit-hint';

const versionPipe = () => new ParseIntPipe({ exceptionFactory: () => new BadRequestException('version: expected a version number') });

/** A file name for Content-Disposition: the spider's name without characters a header or a disk dislikes. */
function archiveName(spider: string, version: number): string {
  return `${spider.replace(/[^A-Za-z0-9._-]+/g, '_') || 'spider'}-v${version}.zip`;
}

/** Several file changes saved as one version, and a whole version as one zip. */
@ApiTags('spiders')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/spiders')
export class SpiderChangesHttpController {
  constructor(
    private readonly spiders: SpiderService,
    private readonly files: SpiderFilesService,
    private readonly versions: SpiderVersionsService,
  ) {}

  /**
   * multipart/form-data: `baseVersion`, `changes` (JSON) and one file part per `put` (its
   * filename is the path). Parts are staged on disk by the multer storage, removed whatever
   * the outcome.
   */
  @Access('edit', param('spider'))
  @Post(':id/changes')
  @HttpCode(200)
  @UseInterceptors(AnyFilesInterceptor({ preservePath: true }))
  @ApiOperation({
    summary:
      'Apply several file changes (put, delete, move/rename, mkdir; files or whole folders) made on `baseVersion` as ONE new version; 409 when a path they touch changed after it; nothing is changed on any refusal',
  })
  @ApiIdParam('spider')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: FileChangesDto })
  @ApiOkResponse({ type: FilesVersionDto })
  @ApiErrors(400, 404, 409, 413, 415)
  async apply(
    @Param('id', ObjectIdPipe) id: string,
    @Req() req: Request,
    @Body() body: Record<string, unknown> | undefined,
    @UploadedFiles() parts: StagedPart[] | undefined,
  ) {
    const staged: StagedFile[] = (parts ?? []).map((p) => ({ path: p.originalname, file: p.path, size: p.size, sha256: p.sha256 }));
    try {
      if (!req.is('multipart/form-data')) throw new UnsupportedMediaTypeException('Content-Type: expected multipart/form-data (fields baseVersion and changes, one file part per put)');
      const base = String(body?.baseVersion ?? '');
      if (!/^[0-9]{1,15}$/.test(base)) throw new BadRequestException('baseVersion: expected the version number the changes were made on');
      const changes = parseFileChanges(body?.changes);
      const r = await this.files.applyChanges(id, Number(base), changes, staged).catch((err: unknown) => {
        throw withUploadLimitHint(err);
      });
      return r.unchanged ? { version: r.version, unchanged: true } : { version: r.version };
    } finally {
      await removeStaged(staged);
    }
  }

  @Access('read', param('spider'))
  @Get(':id/versions/:version/archive')
  @ApiOperation({ summary: 'Download every file of one kept version as a zip (streamed, file modes kept)' })
  @ApiIdParam('spider')
  @ApiParam({ name: 'version', description: 'Version number', schema: { type: 'integer', minimum: 1 }, example: 3 })
  @ApiProduces('application/zip')
  @ApiOkResponse({ description: 'The zip', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(400, 404)
  async archive(@Param('id', ObjectIdPipe) id: string, @Param('version', versionPipe()) version: number, @Res() res: Response): Promise<void> {
    const spider = await this.spiders.get(id);
    const files = await this.versions.contents(id, version);
    const zip = new yazl.ZipFile();
    // yazl reads one entry's stream at a time: memory stays at about one stored chunk.
    for (const f of files) zip.addReadStream(Readable.from(f.read()), f.entry.path, { size: f.entry.size, mode: 0o100000 | (f.entry.mode & 0o777) });
    zip.end();
    res.type('application/zip').setHeader('content-disposition', `attachment; filename="${archiveName(spider.name, version)}"`);
    zip.outputStream.on('error', (err: Error) => res.destroy(err));
    zip.outputStream.pipe(res);
    await new Promise<void>((resolve) => res.on('close', () => resolve()));
  }
}
