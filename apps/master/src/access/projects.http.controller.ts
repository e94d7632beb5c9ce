import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrors, ApiIdParam } from '../http/dto/api-docs.decorators';
import { ObjectIdPipe } from '../http/object-id.pipe';
import { Access, param } from './access.decorator';
import { CreateProjectDto, ProjectDto, PutMemberDto, UserDto } from './access.dto';
import { ProjectsService } from './projects.service';
import { callerOf } from './request-access';
import { UsersService } from './users.service';

const UserIdParam = () => ApiParam({ name: 'userId', description: 'user id (24 hex)', schema: { type: 'string', pattern: '^[0-9a-f]{24}$' } });

@ApiTags('projects')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/projects')
export class ProjectsHttpController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly users: UsersService,
  ) {}

  @Access('admin')
  @Post()
  @ApiOperation({ summary: 'Create a project (admins)' })
  @ApiCreatedResponse({ type: ProjectDto })
  @ApiErrors(400, 409)
  create(@Body() body: CreateProjectDto) {
    return this.projects.create(body.name, body.description);
  }

  @Access('signed-in')
  @Get()
  @ApiOperation({ summary: 'The projects you are a member of (admins: all), with their members' })
  @ApiOkResponse({ type: [ProjectDto] })
  list(@Req() req: Request) {
    return this.projects.list(callerOf(req));
  }

  @Access('read', param('project'))
  @Get(':id')
  @ApiOperation({ summary: 'One project with its members' })
  @ApiIdParam('project')
  @ApiOkResponse({ type: ProjectDto })
  @ApiErrors(400, 404)
  get(@Param('id', ObjectIdPipe) id: string, @Req() req: Request) {
    return this.projects.get(id, callerOf(req));
  }

  @Access('manage', param('project'))
  @Put(':id/members/:userId')
  @ApiOperation({ summary: "Add a member or change their role (the project's owners, admins)" })
  @ApiIdParam('project')
  @UserIdParam()
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 404)
  putMember(@Param('id', ObjectIdPipe) id: string, @Param('userId', ObjectIdPipe) userId: string, @Body() body: PutMemberDto) {
    return this.users.setMember(id, userId, body.role);
  }

  @Access('manage', param('project'))
  @Delete(':id/members/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member' })
  @ApiIdParam('project')
  @UserIdParam()
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(400, 404)
  async deleteMember(@Param('id', ObjectIdPipe) id: string, @Param('userId', ObjectIdPipe) userId: string): Promise<void> {
    await this.users.setMember(id, userId, null);
  }
}
