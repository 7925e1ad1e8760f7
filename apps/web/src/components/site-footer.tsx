import styles from "./site-footer.module.css";

export function SiteFooter() {
  return (
    <footer className={styles.footer}>
      <p>Frontrow · open-source live ticketing. Times are shown in each venue&apos;s local time.</p>
    </footer>
  );
}
