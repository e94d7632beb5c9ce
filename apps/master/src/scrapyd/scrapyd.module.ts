import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MulterModule } from '@nestjs/platform-express';
import express from 'express';
import { StagingLimits, UploadStagingStorage } from '../http/upload-staging.storage';
import { ScrapydAccess } from './scrapyd-access';
import { ScrapydBasicAuthGuard } from './scrapyd-basic-auth.guard';
import { ScrapydErrorFilter, ScrapydFileErrorFilter } from './scrapyd-error.filter';
import { ScrapydFilesHttpController } from './scrapyd-files.http.controller';
import { ScrapydHttpController } from './scrapyd.http.controller';
import { SCRAPYD_OPTIONS, ScrapydOptions } from './scrapyd.options';
import { ScrapydRepository } from './scrapyd.repository';
import { SCRAPYD_JOB_MODEL, SCRAPYD_PROJECT_MODEL, SCRAPYD_VERSION_MODEL, ScrapydJobSchema, ScrapydProjectSchema, ScrapydVersionSchema } from './scrapyd.schema';
import { ScrapydService } from './scrapyd.service';

/** The Scrapyd-compatible API under /scrapyd/ (docs/scrapyd.md). */
@Module({})
export class ScrapydModule implements NestModule {
  static forRoot(options: ScrapydOptions & { upload: StagingLimits }): DynamicModule {
    const { upload, ...opts } = options;
    return {
      module: ScrapydModule,
      imports: [
        MongooseModule.forFeature([
          { name: SCRAPYD_PROJECT_MODEL, schema: ScrapydProjectSchema },
          { name: SCRAPYD_VERSION_MODEL, schema: ScrapydVersionSchema },
          { name: SCRAPYD_JOB_MODEL, schema: ScrapydJobSchema },
        ]),
        // The egg is streamed to a staged file under the data dir, never held in memory.
        MulterModule.register({ storage: new UploadStagingStorage(upload), limits: { fieldSize: 1024 * 1024 } }),
      ],
      controllers: [ScrapydHttpController, ScrapydFilesHttpController],
      providers: [{ provide: SCRAPYD_OPTIONS, useValue: opts }, ScrapydRepository, ScrapydAccess, ScrapydService, ScrapydBasicAuthGuard, ScrapydErrorFilter, ScrapydFileErrorFilter],
    };
  }

  /** Scrapyd clients post forms (application/x-www-form-urlencoded); the app-wide body parser takes JSON only. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(express.urlencoded({ extended: false, limit: '1mb' })).forRoutes(ScrapydHttpController);
  }
}
