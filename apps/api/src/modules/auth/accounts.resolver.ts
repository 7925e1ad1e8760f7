import { Arg, Authorized, Ctx, Int, Mutation, Resolver } from "type-graphql";
import { Role } from "../../generated/prisma/enums.js";
import { type Context, viewerOf } from "../../graphql/context.js";
import { MAX_PASSWORD_LENGTH } from "./auth.service.js";
import { User } from "./auth.types.js";

// Account self-service (accounts.service.ts; mails about each change go out from the outbox) and, for
// admins, accounts' roles (account-roles.service.ts).
@Resolver()
export class AccountsResolver {
  @Authorized("ADMIN")
  @Mutation(() => User, {
    description:
      "Admins: gives the account at this email a role (ORGANIZER to let it create venues and events). Its open sessions get the new role at once. NOT_FOUND when no account has the address; FORBIDDEN for your own role.",
  })
  setAccountRole(
    @Arg("email") email: string,
    @Arg("role", () => Role) role: Role,
    @Ctx() ctx: Context,
  ): Promise<User> {
    return ctx.services.accountRoles.setRole(viewerOf(ctx), email, role);
  }

  @Mutation(() => Boolean, {
    description:
      "Mails a password reset link (valid 30 minutes, once) when the address has an account. Always true: the answer never tells whether it has one.",
  })
  requestPasswordReset(@Arg("email") email: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.accountSelfService.requestPasswordReset(email, ctx.client);
  }

  @Mutation(() => User, {
    description:
      "Sets a new password with the token of a reset link (INVALID_TOKEN when unknown, used or expired), ends every session of the account and signs this browser in.",
  })
  async resetPassword(
    @Arg("token") token: string,
    @Arg("password", { description: `At least 10 characters, at most ${MAX_PASSWORD_LENGTH}.` })
    password: string,
    @Ctx() ctx: Context,
  ): Promise<User> {
    const signedIn = await ctx.services.accountSelfService.resetPassword(token, password, ctx.client);
    ctx.session.start(signedIn.token, signedIn.expiresAt);
    return signedIn.user;
  }

  @Mutation(() => User, {
    description: "Proves the account's email address with the token of a verification link.",
  })
  verifyEmail(@Arg("token") token: string, @Ctx() ctx: Context): Promise<User> {
    return ctx.services.accountSelfService.verifyEmail(token);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Mails a new verification link to the account's address." })
  requestEmailVerification(@Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.accountSelfService.requestEmailVerification(viewerOf(ctx));
  }

  @Authorized()
  @Mutation(() => User, {
    description:
      "Changes the account's email (with the current password); the new address gets a verification link.",
  })
  changeEmail(
    @Arg("newEmail") newEmail: string,
    @Arg("currentPassword") currentPassword: string,
    @Ctx() ctx: Context,
  ): Promise<User> {
    return ctx.services.accountSelfService.changeEmail(viewerOf(ctx), newEmail, currentPassword, ctx.client);
  }

  @Authorized()
  @Mutation(() => User, {
    description: "Changes the password (with the current one), ends every other session and renews this one.",
  })
  async changePassword(
    @Arg("currentPassword") currentPassword: string,
    @Arg("newPassword", { description: `At least 10 characters, at most ${MAX_PASSWORD_LENGTH}.` })
    newPassword: string,
    @Ctx() ctx: Context,
  ): Promise<User> {
    const signedIn = await ctx.services.accountSelfService.changePassword(
      viewerOf(ctx),
      currentPassword,
      newPassword,
      ctx.client,
    );
    ctx.session.start(signedIn.token, signedIn.expiresAt);
    return signedIn.user;
  }

  @Authorized()
  @Mutation(() => Int, {
    description:
      "Ends every session of the account, this one included (clears the cookie); returns how many.",
  })
  async signOutEverywhere(@Ctx() ctx: Context): Promise<number> {
    const ended = await ctx.services.accountSelfService.signOutEverywhere(viewerOf(ctx));
    ctx.session.end();
    return ended;
  }
}
