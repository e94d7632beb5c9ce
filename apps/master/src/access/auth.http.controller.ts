import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrors } from '../http/dto/api-docs.decorators';
import { Public } from '../security/bearer-auth.guard';
import { Access } from './access.decorator';
import { LoginDto, LoginResultDto, MeDto } from './access.dto';
import { Caller } from './access.policy';
import { AuthService, LoginThrottledException } from './auth.service';
import { ProjectsService } from './projects.service';
import { accessOf, callerOf, clientIp, CSRF_COOKIE, SESSION_COOKIE } from './request-access';

@ApiTags('auth')
@Controller('api')
export class AuthHttpController {
  constructor(
    private readonly auth: AuthService,
    private readonly projects: ProjectsService,
  ) {}

  /** Public: it checks the password itself (and throttles guessing). */
  @Public()
  @Post('auth/login')
  @ApiOperation({ summary: 'Sign in with username and password: a session token, plus an httpOnly SameSite=Strict cookie for the dashboard' })
  @ApiCreatedResponse({ type: LoginResultDto })
  @ApiErrors(400, 401)
  @ApiResponse({ status: 429, description: 'Too many failed sign-ins for this username or address (see Retry-After)' })
  async login(@Body() body: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    try {
      const r = await this.auth.login(body.username, body.password, clientIp(req));
      const maxAge = r.expiresAt.getTime() - Date.now();
      const secure = req.secure;
      res.cookie(SESSION_COOKIE, r.token, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge });
      // Readable by the dashboard's script (it sends it back as X-CSRF-Token); useless to another site.
      res.cookie(CSRF_COOKIE, r.csrfToken, { httpOnly: false, sameSite: 'strict', secure, path: '/', maxAge });
      const caller: Caller = { kind: 'user', id: r.user.id, username: r.user.username, role: r.user.role, projects: new Map(r.user.memberships.map((m) => [m.projectId, m.role])) };
      return { token: r.token, csrfToken: r.csrfToken, expiresAt: r.expiresAt.toISOString(), user: await this.me(caller) };
    } catch (err) {
      if (err instanceof LoginThrottledException) res.setHeader('Retry-After', String(err.retryAfterSec));
      throw err;
    }
  }

  @Access('signed-in')
  @Post('auth/logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End this session (a personal token is revoked with DELETE /api/tokens/:id instead)' })
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiErrors(401)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(accessOf(req)?.sessionId);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.clearCookie(CSRF_COOKIE, { path: '/' });
  }

  @Access('signed-in')
  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Who you are: your global role and your projects with your role in each' })
  @ApiOkResponse({ type: MeDto })
  @ApiErrors(401)
  getMe(@Req() req: Request) {
    return this.me(callerOf(req));
  }

  private async me(caller: Caller) {
    const projects = await this.projects.mine(caller);
    if (caller.kind === 'root') return { id: null, username: 'root', role: 'admin', projects };
    return { id: caller.id, username: caller.username, role: caller.role, projects };
  }
}
