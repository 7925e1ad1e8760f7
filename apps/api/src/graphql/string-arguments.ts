import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from "graphql";
import { badInput } from "../kernel/errors.js";

// The one edge where string arguments are checked, for every field of the schema (root fields, nested
// fields, subscriptions), inside input objects and lists, from the document or from variables alike:
// Postgres refuses NUL bytes (an INTERNAL_SERVER_ERROR before this), control characters and lone
// surrogates have no place in any field, and an over-long string only costs work.

/** Longer than any argument needs (tokens and cursors are a few hundred characters): docs/api.md. */
export const MAX_STRING_ARGUMENT_LENGTH = 2_000;

// C0 controls but tab, line feed and carriage return; DEL; C1 controls. Finding them is the point.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is refused
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A field whose arguments carry whole documents (a seating chart's CSV) raises the length limit for its
 * arguments with `@Extensions({ maxStringArgumentLength })`; the other checks stay.
 */
export interface StringArgumentExtensions {
  maxStringArgumentLength?: number;
}

/** What is wrong with a string argument, or undefined. */
export function stringProblem(value: string, maxLength = MAX_STRING_ARGUMENT_LENGTH): string | undefined {
  if (value.length > maxLength) return `is longer than ${maxLength} characters`;
  if (CONTROL.test(value)) return "contains a control character";
  if (LONE_SURROGATE.test(value)) return "contains a lone surrogate (not valid Unicode)";
  return undefined;
}

/** Throws BAD_USER_INPUT naming the first bad string among a field's coerced arguments (no recursion). */
export function checkStringArguments(
  args: Record<string, unknown>,
  maxLength = MAX_STRING_ARGUMENT_LENGTH,
): void {
  const stack: [string, unknown][] = Object.entries(args);
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [path, value] = item;
    if (typeof value === "string") {
      const problem = stringProblem(value, maxLength);
      if (problem) throw badInput(`Argument ${path} ${problem}`, { argument: path, fields: [path] });
    } else if (Array.isArray(value)) {
      for (const [index, element] of value.entries()) stack.push([`${path}[${index}]`, element]);
    } else if (value && typeof value === "object" && !(value instanceof Date)) {
      for (const [key, inner] of Object.entries(value)) stack.push([`${path}.${key}`, inner]);
    }
  }
}

function checked<TSource, TContext>(
  resolve: GraphQLFieldResolver<TSource, TContext>,
  maxLength: number,
): GraphQLFieldResolver<TSource, TContext> {
  return (source, args: Record<string, unknown>, context, info) => {
    checkStringArguments(args, maxLength);
    return resolve(source, args, context, info);
  };
}

/** Wraps every field that takes arguments (its resolver, and a subscription's subscribe) with the check. */
export function guardStringArguments(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.length) continue;
      const extensions = field.extensions as StringArgumentExtensions | undefined;
      const maxLength = extensions?.maxStringArgumentLength ?? MAX_STRING_ARGUMENT_LENGTH;
      field.resolve = checked(field.resolve ?? defaultFieldResolver, maxLength);
      if (field.subscribe) field.subscribe = checked(field.subscribe, maxLength);
    }
  }
  return schema;
}
