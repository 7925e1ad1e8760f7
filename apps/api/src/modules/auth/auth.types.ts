import { GraphQLDateTime } from "graphql-scalars";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Role } from "../../generated/prisma/enums.js";

registerEnumType(Role, { name: "Role" });

@ObjectType({ description: "A Frontrow account. Only its owner sees it." })
export class User {
  @Field(() => ID)
  id!: string;

  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => Role)
  role!: Role;

  @Field({ description: "The language of the emails Frontrow sends this account (BCP 47, e.g. en)." })
  locale!: string;

  @Field(() => GraphQLDateTime, {
    nullable: true,
    description: "When the account proved it receives mail at `email` (verifyEmail); null until then.",
  })
  emailVerifiedAt!: Date | null;
}
