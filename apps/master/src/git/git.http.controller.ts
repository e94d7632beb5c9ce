import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiIdParam } from '../http/dto/api-docs.decorators';
import { Access, param } from '../access';
import { ObjectIdPipe } from '../http/object-id.pipe';
import { GitPullDto, GitSourceDto, GitVersionDto, SetGitSourceDto } from './git-source.dto';
import { GitPullService } from './git-pull.service';

/** A spider's git source and its pulls (docs/git.md). */
@ApiTags('git')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/spiders')
export class GitHttpController {
  constructor(private readonly git: GitPullService) {}

  @Access('edit', param('spider'))
  @Put(':id/git')
  @ApiOperation({ summary: 'Set the spider\'s git source {url, ref, path, username, token, autoPullSec}; the token is stored encrypted and never returned' })
  @ApiIdParam('spider')
  @ApiOkResponse({ type: GitSourceDto })
  @ApiErrors(400, 404)
  set(@Param('id', ObjectIdPipe) id: string, @Body() body: SetGitSourceDto) {
    return this.git.setSource(id, body);
  }

  @Access('read', param('spider'))
  @Get(':id/git')
  @ApiOperation({ summary: "The spider's git source (without its credential)" })
  @ApiIdParam('spider')
  @ApiOkResponse({ type: GitSourceDto })
  @ApiErrors(400, 404)
  get(@Param('id', ObjectIdPipe) id: string) {
    return this.git.getSource(id);
  }

  @Access('edit', param('spider'))
  @Delete(':id/git')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove the git source (the versions stay)' })
  @ApiIdParam('spider')
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(400, 404)
  async delete(@Param('id', ObjectIdPipe) id: string): Promise<void> {
    await this.git.deleteSource(id);
  }

  @Access('read', param('spider'))
  @Get(':id/git/versions')
  @ApiOperation({ summary: 'The versions list with `git: {commit, author, message, committedAt, ref}` on each pulled version (null for uploads)' })
  @ApiIdParam('spider')
  @ApiOkResponse({ type: [GitVersionDto] })
  @ApiErrors(400, 404)
  versions(@Param('id', ObjectIdPipe) id: string) {
    return this.git.versions(id);
  }

  @Access('edit', param('spider'))
  @Post(':id/git/pull')
  @HttpCode(200)
  @ApiOperation({ summary: 'Fetch and make a new version when the tree at ref (under path) changed' })
  @ApiIdParam('spider')
  @ApiOkResponse({ type: GitPullDto })
  @ApiErrors(400, 404)
  pull(@Param('id', ObjectIdPipe) id: string) {
    return this.git.pull(id);
  }
}
