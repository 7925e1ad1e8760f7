import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../../graphql/context.js";
import { MAX_PASSWORD_LENGTH } from "./auth.service.js";
import { User } from "./auth.types.js";

@Resolver(() => User)
export class AuthResolver {
  @Query(() => User, { nullable: true, description: "The signed-in account, or null." })
  me(@Ctx() ctx: Context): Promise<User | null> {
    return ctx.viewer ? ctx.services.auth.findUser(ctx.viewer.userId) : Promise.resolve(null);
  }

  @Mutation(() => User, { description: "Creates an account and signs it in (sets the session cookie)." })
  async signUp(
    @Arg("email") email: string,
    @Arg("password", { description: `At least 10 characters, at most ${MAX_PASSWORD_LENGTH}.` })
    password: string,
    @Ctx() ctx: Context,
    @Arg("name", () => String, { nullable: true }) name?: string,
  ): Promise<User> {
    const signedIn = await ctx.services.auth.signUp({ email, password, name }, ctx.client);
    ctx.session.start(signedIn.token, signedIn.expiresAt);
    return signedIn.user;
  }

  @Mutation(() => User, { description: "Signs in (sets the session cookie, with a new session id)." })
  async logIn(
    @Arg("email") email: string,
    @Arg("password") password: string,
    @Ctx() ctx: Context,
  ): Promise<User> {
    const signedIn = await ctx.services.auth.logIn({ email, password }, ctx.client);
    await ctx.services.auth.logOut(ctx.session.token);
    ctx.session.start(signedIn.token, signedIn.expiresAt);
    return signedIn.user;
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Ends this session and clears the cookie." })
  async logOut(@Ctx() ctx: Context): Promise<boolean> {
    await ctx.services.auth.logOut(ctx.session.token);
    ctx.session.end();
    return true;
  }
}
