import { ArgumentMetadata, BadRequestException, Injectable, ValidationPipe } from '@nestjs/common';
import { validationMessage } from './validation-message';

const VALIDATED: ReadonlySet<string> = new Set(['body', 'query', 'param']);

/**
 * The one validation pipe of the REST API (registered globally): DTO classes with
 * class-validator rules; unknown fields are refused, never stripped silently; bodies are not
 * converted (a JSON `"5"` is not a number), query DTOs convert with explicit `@Type`.
 */
@Injectable()
export class RestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      exceptionFactory: (errors) => new BadRequestException(validationMessage(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // gRPC payloads share the app config (inheritAppConfig); they are not REST input.
    if (!VALIDATED.has(metadata.type)) return value;
    if (metadata.type === 'body' && value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new BadRequestException('body: expected a JSON object');
    }
    return super.transform(value, metadata);
  }
}
