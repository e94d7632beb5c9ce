import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { AccessGuard } from './access.guard';
import { ACCESS_OPTIONS, AccessOptions } from './access.options';
import { AUDIT_MODEL, AuditSchema, PERSONAL_TOKEN_MODEL, PersonalTokenSchema, PROJECT_MODEL, ProjectSchema, SESSION_MODEL, SessionSchema, USER_MODEL, UserSchema } from './access.schema';
import { AuditHttpController } from './audit.http.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { AuthHttpController } from './auth.http.controller';
import { AuthService } from './auth.service';
import { CredentialRepository } from './credential.repository';
import { ProjectRepository } from './project.repository';
import { ProjectsHttpController } from './projects.http.controller';
import { ProjectsService } from './projects.service';
import { ResourceResolver } from './resource-resolver';
import { TokensHttpController } from './tokens.http.controller';
import { TokensService } from './tokens.service';
import { UserRepository } from './user.repository';
import { UsersHttpController } from './users.http.controller';
import { UsersService } from './users.service';
import { VisibilityService } from './visibility.service';

/** Users, projects, sessions, tokens, the audit log, and the guard every route goes through. */
@Module({})
export class AccessModule {
  static forRoot(opts: AccessOptions): DynamicModule {
    return {
      module: AccessModule,
      global: true,
      imports: [
        MongooseModule.forFeature([
          { name: USER_MODEL, schema: UserSchema },
          { name: PROJECT_MODEL, schema: ProjectSchema },
          { name: SESSION_MODEL, schema: SessionSchema },
          { name: PERSONAL_TOKEN_MODEL, schema: PersonalTokenSchema },
          { name: AUDIT_MODEL, schema: AuditSchema },
        ]),
      ],
      controllers: [AuthHttpController, UsersHttpController, ProjectsHttpController, TokensHttpController, AuditHttpController],
      providers: [
        { provide: ACCESS_OPTIONS, useValue: opts },
        UserRepository,
        ProjectRepository,
        CredentialRepository,
        AuditRepository,
        AuditService,
        AuthService,
        UsersService,
        ProjectsService,
        TokensService,
        ResourceResolver,
        VisibilityService,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
      ],
      exports: [VisibilityService, UsersService, AuditService, AuthService, ResourceResolver],
    };
  }
}
