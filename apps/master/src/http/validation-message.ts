import type { ValidationError } from 'class-validator';

// When a field breaks several rules, the most basic one is the reason (a number given for a
// string is "must be a string", not also "too long"). class-validator runs a field's rules in
// reverse declaration order, so stopAtFirstError would pick the last-declared rule instead.
const FIRST_REASONS = ['whitelistValidation', 'isDefined', 'isString', 'isInt', 'isBoolean', 'isArray', 'isIn', 'isStringMap'];

const rank = (kind: string) => (FIRST_REASONS.includes(kind) ? FIRST_REASONS.indexOf(kind) : FIRST_REASONS.length);

/**
 * One line for all rejected fields: "field.sub: reason; other: reason", one reason per field.
 * class-validator's default messages start with the property name; it is dropped since the
 * path already says it.
 */
export function validationMessage(errors: ValidationError[], parent = ''): string {
  return flatten(errors, parent).join('; ');
}

function flatten(errors: ValidationError[], parent: string): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const [first] = Object.entries(e.constraints ?? {}).sort(([a], [b]) => rank(a) - rank(b));
    if (first) out.push(`${path}: ${first[0] === 'whitelistValidation' ? 'unknown field' : stripSubject(first[1], e.property)}`);
    if (e.children?.length) out.push(...flatten(e.children, path));
  }
  return out;
}

function stripSubject(text: string, property: string): string {
  return text.startsWith(`${property} `) ? text.slice(property.length + 1) : text;
}
