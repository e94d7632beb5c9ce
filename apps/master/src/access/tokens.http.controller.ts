import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrors, ApiIdParam } from '../http/dto/api-docs.decorators';
import { ObjectIdPipe } from '../http/object-id.pipe';
import { Access } from './access.decorator';
import { CreatedTokenDto, CreateTokenDto, TokenDto } from './access.dto';
import { callerOf } from './request-access';
import { TokensService } from './tokens.service';

/** The root token belongs to no user: it has no personal tokens. */
function userIdOf(req: Request): string {
  const c = callerOf(req);
  if (c.kind !== 'user') throw new BadRequestException('the root token has no personal tokens: sign in as a user');
  return c.id;
}

@ApiTags('tokens')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/tokens')
export class TokensHttpController {
  constructor(private readonly tokens: TokensService) {}

  @Access('signed-in')
  @Post()
  @ApiOperation({ summary: 'Create a personal access token: it acts as you, with your roles; shown once' })
  @ApiCreatedResponse({ type: CreatedTokenDto })
  @ApiErrors(400)
  create(@Body() body: CreateTokenDto, @Req() req: Request) {
    return this.tokens.create(userIdOf(req), body.name, body.expiresInDays);
  }

  @Access('signed-in')
  @Get()
  @ApiOperation({ summary: 'Your personal tokens (never the secret again)' })
  @ApiOkResponse({ type: [TokenDto] })
  list(@Req() req: Request) {
    const c = callerOf(req);
    return c.kind === 'user' ? this.tokens.list(c.id) : [];
  }

  @Access('signed-in')
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke one of your tokens (it stops working at once)' })
  @ApiIdParam('token')
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors(400, 404)
  async revoke(@Param('id', ObjectIdPipe) id: string, @Req() req: Request): Promise<void> {
    await this.tokens.revoke(userIdOf(req), id);
  }
}
