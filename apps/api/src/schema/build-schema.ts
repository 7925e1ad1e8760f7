import "reflect-metadata";
import { type GraphQLSchema, specifiedDirectives } from "graphql";
import { type AuthChecker, buildSchema, type NonEmptyArray, type PubSub } from "type-graphql";
import { cacheControlDirective } from "../graphql/cache-control.js";
import type { Context } from "../graphql/context.js";
import { guardStringArguments } from "../graphql/string-arguments.js";
import { AppError, ErrorCode } from "../kernel/errors.js";
import { MODULES } from "../modules/index.js";

// @Authorized() needs a signed-in caller; @Authorized("ORGANIZER", …) one of those roles.
const authChecker: AuthChecker<Context> = ({ context }, roles) => {
  if (!context.viewer) throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in to do this");
  if (roles.length > 0 && !roles.includes(context.viewer.role)) {
    throw new AppError(ErrorCode.FORBIDDEN, "Your account is not allowed to do this");
  }
  return true;
};

/** The schema of every module's resolvers. `pubSub` carries subscription events between API instances. */
export async function buildFrontrowSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    pubSub,
    // biome-ignore lint/complexity/noBannedTypes: TypeGraphQL takes resolver classes as plain constructors.
    resolvers: MODULES.flatMap((module) => module.resolvers) as NonEmptyArray<Function>,
    // Given directives replace graphql-js's: @include, @skip, @deprecated and @specifiedBy must stay.
    directives: [...specifiedDirectives, cacheControlDirective],
    authChecker,
    // Inputs carry class-validator constraints; violations become BAD_USER_INPUT errors.
    validate: { forbidUnknownValues: false },
  });
  // Modules that change the built schema (the defences' root-field guards) do so in MODULES order;
  // outside them all, the check of every string argument (graphql/string-arguments.ts).
  return guardStringArguments(
    MODULES.reduce((built, module) => module.transformSchema?.(built) ?? built, schema),
  );
}
