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
    const polluting = protoKeyPath(value);
    if (polluting) throw new BadRequestException(`${polluting}: unknown field`);
    return super.transform(value, metadata);
  }
}

/**
 * JSON.parse keeps a `"__proto__"` key as an own property; class-transformer then drops it
 * instead of reporting it, so the whitelist never sees it. Refused like any unknown field.
 */
export function protoKeyPath(value: unknown, path = ''): string | null {
  if (typeof value !== 'object' || value === null) return null;
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key === '__proto__') return here;
    const nested = protoKeyPath((value as Record<string, unknown>)[key], here);
    if (nested) return nested;
  }
  return null;
}
