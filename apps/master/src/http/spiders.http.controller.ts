import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  UnsupportedMediaTypeException,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { GitPullService } from '../git/git-pull.service';
import type { Request, Response } from 'express';
import 'multer';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertSafePath,
  readTarGz,
  readZip,
  archiveKindOf,
  unwrapSingleFolder,
  removeStaged,
  SpiderFilesService,
  SpiderService,
  StagedFile,
  stageStream,
  SYNC_MASTER_OPTIONS,
  SyncMasterOptions,
} from '@crawlnest/sync';
import { ApiErrors, ApiFilePathParam, ApiIdParam } from './dto/api-docs.decorators';
import { CreateSpiderDto, FilesVersionDto, ManifestDto, MultipartFilesDto, PatchSpiderDto, PutFileQueryDto, SpiderDto, SpiderVersionDto, TreeUploadDto, TreeUploadQueryDto } from './dto/spider.dto';
import { withUploadLimitHint } from './upload-limit-hint';
import { ObjectIdPipe } from './object-id.pipe';
import { ResultsQueryService } from '@crawlnest/results';
import { withSpiderCounts } from './with-result-counts';
import { TaskService } from '@crawlnest/task';
import { PrepareSpiderDto } from './dto/prepare.dto';
import { TasksCreatedDto } from './dto/task.dto';
import type { StagedPart } from './upload-staging.storage';
import { VisibilityService, Access, body, param } from '../access';

const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed'];
const GZIP_TYPES = ['application/gzip', 'application/x-gzip', 'application/x-tar+gzip'];

/** Express 5 gives a `*path` wildcard as an array of decoded segments. */
function wildcardPath(raw: string | string[]): string {
  return Array.isArray(raw) ? raw.join('/') : raw;
}

const BINARY = { type: 'string', format: 'binary' } as const;

@ApiTags('spiders')
@ApiExtraModels(MultipartFilesDto)
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/spiders')
export class SpidersHttpController {
  /** List filter hook: what the caller may see (apps/master/src/access). */
  @Inject(VisibilityService) private readonly visibility!: VisibilityService;

  constructor(
    private readonly spiders: SpiderService,
    private readonly files: SpiderFilesService,
    private readonly tasks: TaskService,
    @Inject(SYNC_MASTER_OPTIONS) private readonly limits: SyncMasterOptions,
    private readonly results: ResultsQueryService,
    private readonly git: GitPullService,
  ) {}

  @Access('edit', body('project', 'projectId', 'single-project'))
  @Post()
  @ApiOperation({ summary: 'Create a spider (its files are uploaded separately); names are unique: 409 when taken' })
  @ApiCreatedResponse({ type: SpiderDto })
  @ApiErrors(400, 409, 413)
  async create(@Body() body: CreateSpiderDto) {
    return (await withSpiderCounts(this.results, [await this.spiders.create(body)]))[0];
  }

  @Access('signed-in')
  @Get()
  @ApiOperation({ summary: 'List spiders' })
  @ApiOkResponse({ type: [SpiderDto] })
  async list(@Req() req: Request) {
    return withSpiderCounts(this.results, this.visibility.filterByProject(req, await this.spiders.list()));
  }

  @Access('read', param('spider'))
  @Get(':id')
  @ApiOperation({ summary: 'Get one spider' })
  @ApiIdParam('spider')
  @ApiOkResponse({ type: SpiderDto })
  @ApiErrors(400, 404)
  async get(@Param('id', ObjectIdPipe) id: string) {
    return (await withSpiderCounts(this.results, [await this.spiders.get(id)]))[0];
  }

  @Access('edit', param('spider'))
  @Patch(':id')
  @ApiOperation({ summary: 'Change name, cmd, param, description, resultsCollection or dedup (turning dedup on or changing its keys starts a backfill); renaming to a taken name is a 409' })
  @ApiIdParam('spider')
  @ApiOkResponse({ type: SpiderDto })
  @ApiErrors(400, 404, 409, 413)
  async patch(@Param('id', ObjectIdPipe) id: string, @Body() body: PatchSpiderDto) {
    const updated = await this.results.changeDedup(id, body, () => this.spiders.update(id, body));
    return (await withSpiderCounts(this.results, [updated]))[0];
  }

  @Access('edit', param('spider'))
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a spider and its files' })
  @ApiIdParam('spider')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 404)
  async delete(@Param('id', ObjectIdPipe) id: string): Promise<void> {
    await this.spiders.delete(id);
  }

  /**
   * Replace the whole tree: multipart (one part per file, filename = path), .zip or .tar.gz.
   * Bodies are staged on disk (multer storage, or the raw body streamed to a file), never
   * held in memory; staged files are removed whatever the outcome. `unwrap=false` keeps an
   * archive's single top-level folder (the CLI packs the folder the user named as the root).
   */
  @Access('edit', param('spider'))
  @Put(':id/files')
  @UseInterceptors(AnyFilesInterceptor({ preservePath: true }))
  @ApiOperation({ summary: 'Replace all files: multipart (one part per file, filename = relative path), a .zip or a .tar.gz' })
  @ApiIdParam('spider')
  @ApiConsumes('multipart/form-data', 'application/zip', 'application/gzip')
  @ApiBody({
    description: 'multipart/form-data: one part per file; application/zip or application/gzip: the archive as the raw body',
    schema: { oneOf: [{ $ref: getSchemaPath(MultipartFilesDto) }, BINARY] },
  })
  @ApiOkResponse({ type: TreeUploadDto })
  @ApiErrors(400, 404, 413, 415)
  async replaceFiles(
    @Param('id', ObjectIdPipe) id: string,
    @Query() q: TreeUploadQueryDto,
    @Req() req: Request,
    @UploadedFiles() parts: StagedPart[] | undefined,
  ) {
    try {
      return await this.replaceTree(id, q.unwrap !== 'false', req, parts);
    } catch (err) {
      throw withUploadLimitHint(err);
    }
  }

  private async replaceTree(id: string, unwrap: boolean, req: Request, parts: StagedPart[] | undefined) {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const staged: StagedFile[] = (parts ?? []).map((p) => ({ path: p.originalname, file: p.path, size: p.size, sha256: p.sha256 }));
    const archives: StagedFile[] = [];
    try {
      // One part named like an archive (`-F file=@shop.zip`) is that archive, not a file named shop.zip.
      const singleArchive = type === 'multipart/form-data' && staged.length === 1 ? archiveKindOf(staged[0].path) : null;
      if (type === 'multipart/form-data' && !singleArchive) {
        return { ...(await this.files.replaceAll(id, staged)), unwrapped: null };
      }
      const read = singleArchive
        ? singleArchive === 'zip' ? readZip : readTarGz
        : ZIP_TYPES.includes(type) ? readZip : GZIP_TYPES.includes(type) ? readTarGz : null;
      if (!read) throw new UnsupportedMediaTypeException('Content-Type: expected multipart/form-data, application/zip or application/gzip');
      const archive = singleArchive ? (staged.pop() as StagedFile) : { path: 'archive', ...(await this.stageBody(req, 'archive')) };
      archives.push(archive);
      staged.push(...(await read(archive.file, this.limits.uploadDir, this.limits)));
      const tree = unwrap ? unwrapSingleFolder(staged) : { files: staged, unwrapped: null };
      return { ...(await this.files.replaceAll(id, tree.files)), unwrapped: tree.unwrapped };
    } finally {
      await removeStaged([...staged, ...archives]);
    }
  }

  /**
   * Builds the current version's environments (requirements.txt, package.json) on the chosen
   * nodes before any run needs them: one task per node whose command is `true`, so the
   * environment stage runs, shows its output in that task's log, and fails it when it fails.
   */
  @Access('run', param('spider'))
  @Post(':id/prepare')
  @ApiOperation({ summary: "Build the spider's dependency environments on nodes ahead of runs (tasks running `true` after the environment stage)" })
  @ApiIdParam('spider')
  @ApiCreatedResponse({ type: TasksCreatedDto })
  @ApiErrors(400, 404, 413)
  async prepare(@Param('id', ObjectIdPipe) id: string, @Body() body: PrepareSpiderDto) {
    await this.spiders.get(id); // 404 for an unknown spider
    const tasks = await this.tasks.create({
      spiderId: id,
      mode: body.mode,
      nodeIds: body.nodeIds,
      labels: body.labels,
      cmd: 'true',
      param: '',
      env: [],
      priority: 5,
      timeoutSec: 0,
      maxRetries: 0,
    });
    return { tasks };
  }

  @Access('read', param('spider'))
  @Get(':id/files')
  @ApiOperation({ summary: 'The file manifest of the current version' })
  @ApiIdParam('spider')
  @ApiOkResponse({ type: ManifestDto })
  @ApiErrors(400, 404)
  manifest(@Param('id', ObjectIdPipe) id: string) {
    return this.files.manifest(id);
  }

  @Access('read', param('spider'))
  @Get(':id/versions')
  @ApiOperation({ summary: 'The versions of its files the spider keeps (newest first; retention drops older ones), each with the git commit a pull made it from' })
  @ApiIdParam('spider')
  @ApiOkResponse({ type: [SpiderVersionDto] })
  @ApiErrors(400, 404)
  versions(@Param('id', ObjectIdPipe) id: string) {
    return this.git.versions(id);
  }

  @Access('read', param('spider'))
  @Get(':id/files/*path')
  @ApiOperation({ summary: 'Download one file (raw bytes)' })
  @ApiIdParam('spider')
  @ApiFilePathParam()
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The file content', schema: BINARY })
  @ApiErrors(400, 404)
  async readFile(@Param('id', ObjectIdPipe) id: string, @Param('path') path: string | string[], @Res() res: Response): Promise<void> {
    const content = await this.files.readFile(id, wildcardPath(path));
    res.type('application/octet-stream').setHeader('content-length', String(content.size));
    // Chunk by chunk with backpressure: a large file is never whole in memory.
    await pipeline(Readable.from(content.chunks), res);
  }

  @Access('edit', param('spider'))
  @Put(':id/files/*path')
  @ApiOperation({ summary: 'Write one file (raw body), creating a new version (none when the content and mode are unchanged)' })
  @ApiIdParam('spider')
  @ApiFilePathParam()
  @ApiConsumes('application/octet-stream')
  @ApiBody({ description: 'The file content, any Content-Type (never parsed)', schema: BINARY })
  @ApiOkResponse({ type: FilesVersionDto })
  @ApiErrors(400, 404, 409, 413)
  async putFile(
    @Param('id', ObjectIdPipe) id: string,
    @Param('path') path: string | string[],
    @Query() q: PutFileQueryDto,
    @Req() req: Request,
  ) {
    const filePath = assertSafePath(wildcardPath(path));
    const staged = await this.stageBody(req, `file ${JSON.stringify(filePath)}`).catch((err: unknown) => {
      throw withUploadLimitHint(err);
    });
    try {
      const mode = q.mode === undefined ? undefined : parseInt(q.mode, 8) & 0o777;
      const base = q.baseVersion === undefined ? undefined : Number(q.baseVersion);
      const r = await this.files.putFile(id, { path: filePath, ...staged, mode }, base);
      return r.unchanged ? { version: r.version, unchanged: true } : { version: r.version };
    } finally {
      await removeStaged([staged]);
    }
  }

  @Access('edit', param('spider'))
  @Delete(':id/files/*path')
  @ApiOperation({ summary: 'Delete one file, creating a new version' })
  @ApiIdParam('spider')
  @ApiFilePathParam()
  @ApiOkResponse({ type: FilesVersionDto })
  @ApiErrors(400, 404)
  async deleteFile(@Param('id', ObjectIdPipe) id: string, @Param('path') path: string | string[]) {
    const r = await this.files.deleteFile(id, wildcardPath(path));
    return { version: r.version };
  }

  /** The raw request body, streamed to a staged file (413 past CRAWLNEST_MAX_UPLOAD_BYTES). */
  private stageBody(req: Request, what: string) {
    return stageStream(req, this.limits.uploadDir, this.limits.maxUploadBytes, what);
  }
}
