import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Query } from '@nestjs/common';
import type { z } from 'zod';
import { NodeAdminService } from '@crawlnest/node';
import { ObjectIdPipe } from './object-id.pipe';
import { listNodesQuery, patchNodeSchema } from './schemas';
import { ZodValidationPipe } from './zod-validation.pipe';

@Controller('api/nodes')
export class NodesHttpController {
  constructor(private readonly nodes: NodeAdminService) {}

  @Get()
  list(@Query(new ZodValidationPipe(listNodesQuery)) q: z.infer<typeof listNodesQuery>) {
    return this.nodes.list(q);
  }

  @Get(':id')
  get(@Param('id', ObjectIdPipe) id: string) {
    return this.nodes.get(id);
  }

  @Patch(':id')
  patch(@Param('id', ObjectIdPipe) id: string, @Body(new ZodValidationPipe(patchNodeSchema)) body: z.infer<typeof patchNodeSchema>) {
    return this.nodes.patch(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id', ObjectIdPipe) id: string): Promise<void> {
    await this.nodes.delete(id);
  }
}
