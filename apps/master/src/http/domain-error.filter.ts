import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '@crawlnest/node';

const STATUS: Record<DomainError['kind'], HttpStatus> = {
  'bad-input': HttpStatus.BAD_REQUEST,
  'not-found': HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  'too-large': HttpStatus.PAYLOAD_TOO_LARGE,
};

const ERROR_NAME: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
};

/** The one place domain errors become HTTP statuses, in Nest's error shape. */
@Catch(DomainError)
export class DomainErrorFilter implements ExceptionFilter {
  catch(err: DomainError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const statusCode = STATUS[err.kind];
    res.status(statusCode).json({ statusCode, error: ERROR_NAME[statusCode], message: err.message });
  }
}
