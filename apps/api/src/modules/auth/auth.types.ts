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
}
