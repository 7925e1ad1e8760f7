import { GraphQLDateTime, GraphQLJSONObject } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";

@ObjectType({
  description: "A partner API key, shown by its prefix (the secret is only shown when created).",
})
export class ApiKey {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: "The key's first characters, to tell keys apart." })
  prefix!: string;

  @Field(() => [String], { description: "catalog:read, holds:write (holds are made as the key's owner)." })
  scopes!: string[];

  @Field(() => Int, { description: "Query cost the key may spend per minute (see extensions.cost)." })
  costPerMinute!: number;

  @Field(() => GraphQLDateTime)
  createdAt!: Date;

  @Field(() => GraphQLDateTime, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType()
export class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field({
    description: "Send it as `Authorization: Bearer <secret>`. Shown this once: only its hash is kept.",
  })
  secret!: string;
}

@ObjectType({ description: "Something an account or address did that looks automated." })
export class BotSignal {
  @Field(() => ID)
  id!: string;

  @Field({
    description:
      "FAILED_PROOF_OF_WORK, RATE_LIMITED, SIGNUPS_FROM_ONE_IP; ACCOUNT_BLOCKED and ACCOUNT_UNBLOCKED " +
      "record moderation.",
  })
  kind!: string;

  @Field(() => ID, { nullable: true })
  userId!: string | null;

  @Field(() => String, { nullable: true, description: "The account's email." })
  email!: string | null;

  @Field(() => ID, { nullable: true })
  eventId!: number | null;

  @Field(() => String, { nullable: true })
  ip!: string | null;

  @Field(() => GraphQLJSONObject)
  detail!: Record<string, unknown>;

  @Field(() => GraphQLDateTime)
  createdAt!: Date;
}

@ObjectType()
export class SignalCount {
  @Field()
  kind!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: "One account's bot signals, summed up." })
export class AccountSignals {
  @Field(() => ID)
  userId!: string;

  @Field()
  email!: string;

  @Field(() => GraphQLDateTime, { nullable: true, description: "Set while the account is blocked." })
  blockedAt!: Date | null;

  @Field(() => Int)
  total!: number;

  @Field(() => GraphQLDateTime)
  lastSignalAt!: Date;

  @Field(() => [SignalCount], { description: "Most frequent kind first." })
  kinds!: SignalCount[];
}
