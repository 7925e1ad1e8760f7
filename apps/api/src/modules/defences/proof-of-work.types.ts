import { GraphQLDateTime } from "graphql-scalars";
import { Field, Int, ObjectType } from "type-graphql";

@ObjectType({
  description:
    "A proof-of-work puzzle for joinQueue: find a decimal nonce such that SHA-256 of " +
    '"<challenge>:<nonce>" (UTF-8) starts with `difficulty` zero bits, then pass that string as ' +
    "joinQueue's proofOfWork before `expiresAt`. Each challenge is good for one join.",
})
export class ProofOfWorkChallenge {
  @Field({ description: "Signed; bound to your account, the event, the difficulty and the expiry." })
  challenge!: string;

  @Field(() => Int, { description: "Leading zero bits required; 0 means no proof is needed." })
  difficulty!: number;

  @Field(() => GraphQLDateTime)
  expiresAt!: Date;

  @Field({ description: 'Always "sha256-leading-zero-bits".' })
  algorithm!: string;
}
