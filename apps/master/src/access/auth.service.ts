import { HttpException, HttpStatus, Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Caller } from './access.policy';
import { ACCESS_OPTIONS, AccessOptions } from './access.options';
import { UserRecord } from './access.types';
import { AuditService } from './audit.service';
import { CredentialRepository } from './credential.repository';
import { LoginThrottle } from './login-throttle';
import { verifyPassword } from './password';
import { hashMatches, issueToken, parseToken, sha256 } from './secret-token';
import { UserRepository } from './user.repository';
import { RequestAccess } from './request-access';

export type Credential = { bearer?: string; cookie?: string };
export type LoginResult = { token: string; csrfToken: string; expiresAt: Date; user: UserRecord };

// Writes to lastSeenAt at most this often per session (a request is a read, not a write).
const TOUCH_EVERY_MS = 30_000;
// A hash to check when the username is unknown, so both answers take as long.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** Who a credential is: the root token, a session or a personal token of an enabled user. */
@Injectable()
export class AuthService {
  private readonly log = new Logger(AuthService.name);
  private readonly root: Buffer;
  private readonly throttle: LoginThrottle;

  constructor(
    @Inject(ACCESS_OPTIONS) private readonly opts: AccessOptions,
    private readonly users: UserRepository,
    private readonly credentials: CredentialRepository,
    private readonly audit: AuditService,
  ) {
    this.root = Buffer.from(opts.rootToken);
    this.throttle = new LoginThrottle(opts.loginMaxFailures, opts.loginWindowMs);
  }

  /** null: no credential at all; throws 401 for one that is wrong, expired, revoked or of a disabled user. */
  async authenticate(c: Credential): Promise<RequestAccess | null> {
    if (c.bearer !== undefined) return this.fromToken(c.bearer, false);
    if (c.cookie !== undefined) return this.fromToken(c.cookie, true);
    return null;
  }

  private async fromToken(token: string, cookie: boolean): Promise<RequestAccess> {
    const given = Buffer.from(token);
    if (!cookie && given.length === this.root.length && timingSafeEqual(given, this.root)) {
      return { caller: { kind: 'root' }, via: 'root', cookie: false };
    }
    const parsed = parseToken(token);
    if (!parsed || (cookie && parsed.kind !== 's')) throw new UnauthorizedException('wrong token');
    const now = new Date();
    if (parsed.kind === 's') {
      const s = await this.credentials.findSession(parsed.id);
      if (!s || !hashMatches(parsed.secret, s.secretHash)) throw new UnauthorizedException('wrong token');
      // Both limits as configured now (a lowered limit applies to sessions already open) and the expiry set at sign-in.
      const age = now.getTime() - new Date(s.createdAt).getTime();
      if (s.expiresAt <= now || age > this.opts.sessionMaxMs || now.getTime() - new Date(s.lastSeenAt).getTime() > this.opts.sessionIdleMs) {
        await this.credentials.deleteSession(s.id);
        throw new UnauthorizedException('session expired: sign in again');
      }
      const user = await this.enabledUser(s.userId);
      if (now.getTime() - new Date(s.lastSeenAt).getTime() > Math.min(TOUCH_EVERY_MS, this.opts.sessionIdleMs / 10)) {
        await this.credentials.touchSession(s.id, now);
      }
      return { caller: callerOf(user), via: 'session', cookie, sessionId: s.id };
    }
    const t = await this.credentials.findToken(parsed.id);
    if (!t || !hashMatches(parsed.secret, t.secretHash)) throw new UnauthorizedException('wrong token');
    if (t.expiresAt && t.expiresAt <= now) throw new UnauthorizedException('token expired');
    const user = await this.enabledUser(t.userId);
    if (!t.lastUsedAt || now.getTime() - new Date(t.lastUsedAt).getTime() > 60_000) await this.credentials.touchToken(t.id, now);
    return { caller: callerOf(user), via: 'token', cookie: false };
  }

  private async enabledUser(id: string): Promise<UserRecord> {
    const u = await this.users.findById(id);
    if (!u || u.disabled) throw new UnauthorizedException('user disabled or removed');
    return u;
  }

  /** The CSRF token of a cookie session matches the header sent with a write. */
  async csrfMatches(sessionId: string, header: string | undefined): Promise<boolean> {
    if (!header) return false;
    const s = await this.credentials.findSession(sessionId);
    return !!s && hashMatches(header, s.csrfHash);
  }

  async login(username: string, password: string, ip: string): Promise<LoginResult> {
    const keys = [`user:${username.toLowerCase()}`, `ip:${ip}`];
    const wait = this.throttle.retryAfterSec(keys);
    if (wait > 0) {
      await this.audit.record({ via: 'anonymous', username, ip, action: 'auth.login.throttled', status: 429 });
      throw new LoginThrottledException(wait);
    }
    const user = await this.users.findByUsername(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || user.disabled || !user.passwordHash) {
      this.throttle.fail(keys);
      await this.audit.record({ via: 'anonymous', userId: user?.id ?? null, username, ip, action: 'auth.login.failure', status: 401, detail: user?.disabled ? 'disabled' : '' });
      throw new UnauthorizedException('wrong username or password');
    }
    this.throttle.clear(keys[0]);
    const issued = issueToken('s');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.opts.sessionMaxMs);
    await this.credentials.createSession({ id: issued.id, userId: user.id, secretHash: issued.hash, csrfHash: sha256(csrfToken), createdAt: now, lastSeenAt: now, expiresAt }, ip);
    await this.audit.record({ via: 'session', userId: user.id, username: user.username, ip, action: 'auth.login.success', resourceId: user.id, status: 201 });
    this.log.log({ msg: 'signed in', user: user.username, ip });
    return { token: issued.token, csrfToken, expiresAt, user };
  }

  async logout(sessionId: string | undefined): Promise<void> {
    if (sessionId) await this.credentials.deleteSession(sessionId);
  }
}

/** 429; the controller copies `retryAfterSec` into Retry-After. */
export class LoginThrottledException extends HttpException {
  constructor(readonly retryAfterSec: number) {
    super({ statusCode: 429, error: 'Too Many Requests', message: `too many failed sign-ins: retry in ${retryAfterSec} s` }, HttpStatus.TOO_MANY_REQUESTS);
  }
}

export function callerOf(u: UserRecord): Caller {
  return { kind: 'user', id: u.id, username: u.username, role: u.role, projects: new Map(u.memberships.map((m) => [m.projectId, m.role])) };
}
