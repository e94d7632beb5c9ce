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
import type { Request, Response } from 'express';
import 'multer';
import type { z } from 'zod';
import { BadInputError } from '@crawlnest/node';
import { IncomingFile, readTarGz, readZip, SpiderFilesService, SpiderService, SYNC_MASTER_OPTIONS, SyncMasterOptions } from '@crawlnest/sync';
import { ObjectIdPipe } from './object-id.pipe';
import { createSpiderSchema, fileModeQuery, patchSpiderSchema } from './schemas';
import { ZodValidationPipe } from './zod-validation.pipe';
import { MULTIPART_LIMITS } from './upload-limits';

/** Express 5 gives a `*path` wildcard as an array of decoded segments. */
function wildcardPath(raw: string | string[]): string {
  return Array.isArray(raw) ? raw.join('/') : raw;
}

@Controller('api/spiders')
export class SpidersHttpController {
  constructor(
    private readonly spiders: SpiderService,
    private readonly files: SpiderFilesService,
    @Inject(SYNC_MASTER_OPTIONS) private readonly limits: SyncMasterOptions,
  ) {}

  @Post()
  create(@Body(new ZodValidationPipe(createSpiderSchema)) body: z.infer<typeof createSpiderSchema>) {
    return this.spiders.create(body);
  }

  @Get()
  list() {
    return this.spiders.list();
  }

  @Get(':id')
  get(@Param('id', ObjectIdPipe) id: string) {
    return this.spiders.get(id);
  }

  @Patch(':id')
  patch(@Param('id', ObjectIdPipe) id: string, @Body(new ZodValidationPipe(patchSpiderSchema)) body: z.infer<typeof patchSpiderSchema>) {
    return this.spiders.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id', ObjectIdPipe) id: string): Promise<void> {
    await this.spiders.delete(id);
  }

  /** Replace the whole tree: multipart (one part per file, filename = path), .zip or .tar.gz. */
  @Put(':id/files')
  @UseInterceptors(AnyFilesInterceptor({ preservePath: true, limits: MULTIPART_LIMITS }))
  async replaceFiles(
    @Param('id', ObjectIdPipe) id: string,
    @Req() req: Request,
    @UploadedFiles() parts: Express.Multer.File[] | undefined,
  ) {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    let files: IncomingFile[];
    if (type === 'multipart/form-data') {
      files = (parts ?? []).map((p) => ({ path: p.originalname, data: p.buffer }));
    } else if (type === 'application/zip' || type === 'application/x-zip-compressed') {
      files = await readZip(this.rawBody(req), this.limits);
    } else if (type === 'application/gzip' || type === 'application/x-gzip' || type === 'application/x-tar+gzip') {
      files = await readTarGz(this.rawBody(req), this.limits);
    } else {
      throw new UnsupportedMediaTypeException('Content-Type: expected multipart/form-data, application/zip or application/gzip');
    }
    return this.files.replaceAll(id, files);
  }

  @Get(':id/files')
  manifest(@Param('id', ObjectIdPipe) id: string) {
    return this.files.manifest(id);
  }

  @Get(':id/files/*path')
  async readFile(@Param('id', ObjectIdPipe) id: string, @Param('path') path: string | string[], @Res() res: Response): Promise<void> {
    const data = await this.files.readFile(id, wildcardPath(path));
    res.type('application/octet-stream').send(data);
  }

  @Put(':id/files/*path')
  async putFile(
    @Param('id', ObjectIdPipe) id: string,
    @Param('path') path: string | string[],
    @Query(new ZodValidationPipe(fileModeQuery)) q: z.infer<typeof fileModeQuery>,
    @Req() req: Request,
  ) {
    const r = await this.files.putFile(id, { path: wildcardPath(path), data: this.rawBody(req), mode: q.mode });
    return { version: r.version };
  }

  @Delete(':id/files/*path')
  async deleteFile(@Param('id', ObjectIdPipe) id: string, @Param('path') path: string | string[]) {
    const r = await this.files.deleteFile(id, wildcardPath(path));
    return { version: r.version };
  }

  private rawBody(req: Request): Buffer {
    if (Buffer.isBuffer(req.body)) return req.body;
    if (req.body === undefined || (typeof req.body === 'object' && Object.keys(req.body as object).length === 0)) return Buffer.alloc(0);
    throw new BadInputError('body: expected raw bytes');
  }
}
