import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { Matches, registerDecorator, ValidateIf, ValidationArguments } from 'class-validator';
import { Label, labelsFromObject, OBJECT_ID_PATTERN } from '@crawlnest/node';

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
