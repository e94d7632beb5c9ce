import { BadRequestException, Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiIdParam } from '../http/dto/api-docs.decorators';
import { ObjectIdPipe } from '../http/object-id.pipe';
import { Access } from './access.decorator';
import { CreateUserDto, PatchUserDto, UserDto } from './access.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/users')
export class UsersHttpController {
  constructor(private readonly users: UsersService) {}

  @Access('admin')
  @Post()
  @ApiOperation({ summary: 'Create a user (admins; the root token makes the first admin)' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiErrors(400, 409)
  create(@Body() body: CreateUserDto) {
    return this.users.create(body.username, body.password, body.role);
  }

  @Access('signed-in')
  @Get()
  @ApiOperation({ summary: 'List users (every signed-in user may read them)' })
  @ApiOkResponse({ type: [UserDto] })
  list() {
    return this.users.list();
  }

  @Access('signed-in')
  @Get(':id')
  @ApiOperation({ summary: 'Get one user' })
  @ApiIdParam('user')
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 404)
  get(@Param('id', ObjectIdPipe) id: string) {
    return this.users.get(id);
  }

  @Access('admin')
  @Patch(':id')
  @ApiOperation({ summary: 'Change role, disabled or password (disabling ends sessions and stops tokens at once)' })
  @ApiIdParam('user')
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 404)
  patch(@Param('id', ObjectIdPipe) id: string, @Body() body: PatchUserDto) {
    if (body.role === undefined && body.disabled === undefined && body.password === undefined) throw new BadRequestException('expected at least one of role, disabled, password');
    return this.users.patch(id, body);
  }
}
