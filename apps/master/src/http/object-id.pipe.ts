import { BadRequestException, PipeTransform } from '@nestjs/common';
import { OBJECT_ID_PATTERN } from '@crawlnest/node';

export class ObjectIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!OBJECT_ID_PATTERN.test(value)) throw new BadRequestException('id: expected a 24-hex id');
    return value;
  }
}
