import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { GitAutoPullCron } from './git-auto-pull.cron';
import { GitClient } from './git.client';
import { GitHttpController } from './git.http.controller';
import { GIT_OPTIONS, GitOptions } from './git.options';
import { GitPullService } from './git-pull.service';
import { GIT_COMMIT_MODEL, GIT_PULL_CLAIM_MODEL, GIT_SOURCE_MODEL, GitPullClaimSchema, GitSourceSchema, GitVersionCommitSchema } from './git-source.schema';
import { GitSourceRepository } from './git-source.repository';
import { GitWebhookHttpController } from './git-webhook.http.controller';

/** Spiders from git (docs/git.md). */
@Module({})
export class GitModule {
  static forRoot(options: GitOptions): DynamicModule {
    return {
      module: GitModule,
      imports: [
        MongooseModule.forFeature([
          { name: GIT_SOURCE_MODEL, schema: GitSourceSchema },
          { name: GIT_COMMIT_MODEL, schema: GitVersionCommitSchema },
          { name: GIT_PULL_CLAIM_MODEL, schema: GitPullClaimSchema },
        ]),
      ],
      controllers: [GitHttpController, GitWebhookHttpController],
      providers: [{ provide: GIT_OPTIONS, useValue: options }, GitClient, GitSourceRepository, GitPullService, GitAutoPullCron],
      exports: [GitPullService],
    };
  }
}
