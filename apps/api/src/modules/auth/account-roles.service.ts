import type { Role } from "../../generated/prisma/enums.js";
import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import { AppError, ErrorCode, notFound } from "../../kernel/errors.js";
import type { Viewer } from "../../kernel/viewer.js";
import { setRole } from "./account-store.js";
import { validEmail } from "./auth.service.js";
import type { SessionStore } from "./session-store.js";
import { userIdByEmail } from "./user-store.js";

/**
 * What an account may do (FAN, ORGANIZER, ADMIN), set by an admin: how a new organizer gets their venues
 * and events. The change applies to the account's open sessions at once (their cached copies are
 * dropped), so nobody has to sign in again.
 */
export class AccountRolesService {
  constructor(
    private readonly db: Db,
    private readonly sessions: Pick<SessionStore, "refreshFor">,
    private readonly log: Logger,
  ) {}

  async setRole(admin: Viewer, email: string, role: Role) {
    const address = validEmail(email);
    const userId = await userIdByEmail(this.db, address);
    if (!userId) throw notFound("Account", address);
    // No admin can take the last admin's rights away by mistake: another admin changes yours.
    if (userId === admin.userId) {
      throw new AppError(ErrorCode.FORBIDDEN, "You cannot change your own role: ask another admin");
    }
    const user = await setRole(this.db, userId, role);
    await this.sessions.refreshFor(userId);
    this.log.info({ userId, role, by: admin.userId }, "account role changed");
    return user;
  }
}
