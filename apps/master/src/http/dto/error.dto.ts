import { ApiProperty } from '@nestjs/swagger';

/** Nest's error shape, used by every error status of the API. */
export class ErrorDto {
  @ApiProperty({ description: 'The HTTP status code, repeated', example: 400 })
  statusCode: number;

  @ApiProperty({ description: 'The HTTP status text', example: 'Bad Request' })
  error: string;

  @ApiProperty({ description: 'What went wrong; for 400 each rejected field and why, "field: reason; other: reason"', example: 'priority: expected 1..10' })
  message: string;
}
