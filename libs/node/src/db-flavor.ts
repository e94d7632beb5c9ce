import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';

/**
 * Which server is behind the connection: MongoDB or FerretDB. Asked once (and again after a
 * failed ask). Code that must be right on both takes the path each serves well: FerretDB 1.x
 * serves only a bare `{_id: v}` filter from its index (see guarded-update.ts) and builds no
 * secondary index; MongoDB applies a compound filter atomically.
 */
@Injectable()
export class DbFlavor {
  private ferret: Promise<boolean> | null = null;

  constructor(@InjectConnection() private readonly conn: Connection) {}

  /** FerretDB answers buildInfo with `ferretdbVersion`; MongoDB does not. */
  isFerretDb(): Promise<boolean> {
    this.ferret ??= this.conn
      .asPromise()
      .then((c) => (c.db as NonNullable<typeof c.db>).admin().command({ buildInfo: 1 }))
      .then((info) => 'ferretdbVersion' in info)
      .catch((err: unknown) => {
        this.ferret = null; // asked again on next use
        throw err;
      });
    return this.ferret;
  }
}
