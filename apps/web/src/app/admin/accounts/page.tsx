import type { Metadata } from "next";
import { AccountRoleForm } from "@/auth/account-role-form";
import styles from "@/auth/accounts.module.css";
import layout from "@/components/layout.module.css";
import organizer from "@/organizer/organizer.module.css";
import { AdminOnly } from "@/organizer/organizer-access";

export const metadata: Metadata = { title: "Accounts" };

export default function AccountsPage() {
  return (
    <div className={organizer.page}>
      <h1 className={layout.title}>Accounts</h1>
      <p className={layout.muted}>
        Give an account its role: what it may do on Frontrow. The change reaches the account's open sessions
        at once; nobody has to sign in again.
      </p>
      <section aria-labelledby="roles-heading" className={organizer.section}>
        <h2 id="roles-heading">Roles</h2>
        <dl className={styles.roles}>
          <div>
            <dt>Fan</dt>
            <dd>
              Every new account. Finds events, holds seats, buys, transfers tickets and joins waitlists.
            </dd>
          </div>
          <div>
            <dt>Organizer</dt>
            <dd>
              What a fan does, and creates venues and events, sets prices, publishes, follows sales and
              orders, runs the waiting room, the door and webhooks for their own events.
            </dd>
          </div>
          <div>
            <dt>Admin</dt>
            <dd>What an organizer does, for every event, and gives accounts their roles on this page.</dd>
          </div>
        </dl>
      </section>
      <AdminOnly>
        <AccountRoleForm />
      </AdminOnly>
    </div>
  );
}
