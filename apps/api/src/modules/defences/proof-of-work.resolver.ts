import { Arg, Authorized, Ctx, ID, Query, Resolver } from "type-graphql";
import { type Context, viewerOf } from "../../graphql/context.js";
import { parseIntId } from "../../kernel/ids.js";
import { ProofOfWorkChallenge } from "./proof-of-work.types.js";

@Resolver()
export class ProofOfWorkQueries {
  @Authorized()
  @Query(() => ProofOfWorkChallenge, {
    description: "A fresh proof-of-work challenge for joining this event's queue, at its current difficulty.",
  })
  proofOfWorkChallenge(
    @Arg("eventId", () => ID) eventId: string,
    @Ctx() ctx: Context,
  ): Promise<ProofOfWorkChallenge> {
    return ctx.services.proofOfWork.challenge(viewerOf(ctx).userId, parseIntId(eventId, "eventId"));
  }
}
