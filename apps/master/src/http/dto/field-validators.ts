import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, Matches, Max, Min, registerDecorator, ValidateIf, ValidationArguments } from 'class-validator';
import { Label, labelsFromObject, OBJECT_ID_PATTERN } from '@crawlnest/node';
import { TASK_MODES, TaskMode } from '@crawlnest/task';

export const MAX_MAP_ENTRIES = 100;
export const MAX_MAP_KEY = 200;
export const MAX_MAP_VALUE = 4096;

/** A 24-hex id (Mongo ObjectId as a string). */
export const IsObjectId = (opts: { each?: boolean } = {}) => Matches(OBJECT_ID_PATTERN, { ...opts, message: 'expected a 24-hex id' });

/** Optional but not nullable: absent is fine, `null` is validated (and refused) like any other value. */
export const OptionalField = () => ValidateIf((_obj: object, value: unknown) => value !== undefined);

/** Why `value` is not a user map `{k: v}` of strings within the size limits, or null when it is one. */
export function stringMapProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected an object of string values';
  const entries = Object.entries(value);
  if (entries.length > MAX_MAP_ENTRIES) return `at most ${MAX_MAP_ENTRIES} entries`;
  for (const [k, v] of entries) {
    if (k.length > MAX_MAP_KEY) return `key ${JSON.stringify(k.slice(0, 40))}…: at most ${MAX_MAP_KEY} characters`;
    if (typeof v !== 'string') return `${k}: expected a string`;
    if (v.length > MAX_MAP_VALUE) return `${k}: at most ${MAX_MAP_VALUE} characters`;
  }
  return null;
}

// Pair lists this module made from a valid user map. class-transformer runs before
// class-validator, so the validator can only tell a converted map from a pair list the user
// sent directly by its identity.
const converted = new WeakSet<Label[]>();

/** An empty pair list that counts as a validated map (a DTO default). */
export function noLabels(): Label[] {
  const empty: Label[] = [];
  converted.add(empty);
  return empty;
}

function toLabels(value: unknown): unknown {
  if (stringMapProblem(value) !== null) return value;
  const labels = labelsFromObject(value as Record<string, string>);
  converted.add(labels);
  return labels;
}

/**
 * A user map `{k: v}` (labels, env), stored as `[{key, value}]` pairs because keys may hold
 * dots (FerretDB refuses them in keys). Converts a valid map; refuses anything else with the reason.
 */
export function IsStringMap(): PropertyDecorator {
  return applyDecorators(Transform(({ value }) => toLabels(value)), (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isStringMap',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => Array.isArray(value) && converted.has(value as Label[]),
        defaultMessage: (args?: ValidationArguments) => stringMapProblem(args?.value) ?? 'expected an object of string values',
      },
    }),
  );
}

/**
 * Decorators applied as if stacked on the property in this order (the last one first), so that
 * class-validator registers, and reports, the rules as it did for the written-out stack: the
 * order decides which of two unranked rules a 400 names (see validation-message.ts).
 */
export const asStack = (...decorators: PropertyDecorator[]) => applyDecorators(...[...decorators].reverse());

/** `page` of a paged list query (from 1, at most 1000000, default 1); the description says what page 1 is. */
export const PageQueryField = (description: string) =>
  asStack(
    ApiPropertyOptional({ description, minimum: 1, maximum: 1_000_000, default: 1 }),
    OptionalField(),
    Type(() => Number),
    IsInt({ message: 'expected an integer' }),
    Min(1, { message: 'expected >= 1' }),
    Max(1_000_000, { message: 'expected <= 1000000' }),
  );

/** `size` of a paged list query (1..1000, default 20). */
export const SizeQueryField = () =>
  asStack(
    ApiPropertyOptional({ description: 'Page size', minimum: 1, maximum: 1000, default: 20 }),
    OptionalField(),
    Type(() => Number),
    IsInt({ message: 'expected an integer' }),
    Min(1, { message: 'expected >= 1' }),
    Max(1000, { message: 'expected <= 1000' }),
  );

/** Placement `mode` (of a task, or of an environment build); its description and default differ by use. */
export const PlacementModeField = (description: string, defaultMode: TaskMode) =>
  asStack(
    ApiPropertyOptional({ description, enum: TASK_MODES, default: defaultMode }),
    OptionalField(),
    IsIn(TASK_MODES, { message: `expected one of ${TASK_MODES.join(', ')}` }),
  );

/** Placement `nodeIds`: the listed nodes for mode selected-nodes. */
export const PlacementNodeIdsField = () =>
  asStack(
    ApiPropertyOptional({ description: 'Node ids for mode selected-nodes (also narrows the other modes)', type: [String], maxItems: 1000, default: [], example: [] }),
    OptionalField(),
    IsArray({ message: 'expected an array of ids' }),
    ArrayMaxSize(1000, { message: 'at most 1000 ids' }),
    IsObjectId({ each: true }),
  );
