import { GraphQLError, type GraphQLResolveInfo, Kind, parse, validate } from "graphql";
import { Arg, Authorized, Ctx, Field, ID, Info, Mutation, ObjectType, Query, Resolver } from "type-graphql";
import { type Context, viewerOf } from "../../graphql/context.js";
import { badInput } from "../../kernel/errors.js";
import type { PersistedOperationView } from "./operation-safelist.js";

@ObjectType({ description: "An operation registered for an API key, known by its SHA-256 hash." })
export class PersistedOperation {
  @Field({
    description: "SHA-256 (hex) of the document's text: send it as extensions.persistedQuery.sha256Hash.",
  })
  sha256Hash!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;
}

const MANAGERS = ["ORGANIZER", "ADMIN"];

/** Each document must be one valid operation of this schema (its fragments included). */
function parsed(documents: string[], info: GraphQLResolveInfo): { document: string; name: string | null }[] {
  return documents.map((document, index) => {
    try {
      const ast = parse(document);
      const errors = validate(info.schema, ast);
      if (errors.length) throw errors[0];
      const operations = ast.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      if (operations.length !== 1) throw new GraphQLError("must hold exactly one operation");
      return { document, name: operations[0]?.name?.value ?? null };
    } catch (error) {
      const why = error instanceof GraphQLError ? error.message : "could not be parsed";
      throw badInput(`documents[${index}]: ${why}`, { field: "documents", index });
    }
  });
}

@Resolver()
export class SafelistResolver {
  @Authorized(...MANAGERS)
  @Mutation(() => [PersistedOperation], {
    description: "Registers operations for one of your API keys (what it may run in safelist mode).",
  })
  registerApiKeyOperations(
    @Arg("apiKeyId", () => ID) apiKeyId: string,
    @Arg("documents", () => [String]) documents: string[],
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<PersistedOperationView[]> {
    return ctx.services.safelist.register(viewerOf(ctx), apiKeyId, parsed(documents, info));
  }

  @Authorized(...MANAGERS)
  @Mutation(() => Boolean, {
    description: "Safelist mode on or off: on, the key runs registered operations only.",
  })
  setApiKeySafelist(
    @Arg("apiKeyId", () => ID) apiKeyId: string,
    @Arg("enabled") enabled: boolean,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.safelist.setMode(viewerOf(ctx), apiKeyId, enabled);
  }

  @Authorized(...MANAGERS)
  @Query(() => [PersistedOperation], { description: "The operations registered for one of your API keys." })
  apiKeyOperations(
    @Arg("apiKeyId", () => ID) apiKeyId: string,
    @Ctx() ctx: Context,
  ): Promise<PersistedOperationView[]> {
    return ctx.services.safelist.operations(viewerOf(ctx), apiKeyId);
  }
}
