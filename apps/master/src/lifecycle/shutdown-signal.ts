import { Injectable } from '@nestjs/common';

/**
 * Set when the master starts stopping, before HTTP closes: long-lived responses (log
 * streams) end themselves at a line boundary instead of being cut at the end of the grace.
 */
@Injectable()
export class ShutdownSignal {
  private stoppingValue = false;

  get stopping(): boolean {
    return this.stoppingValue;
  }

  markStopping(): void {
    this.stoppingValue = true;
  }
}
