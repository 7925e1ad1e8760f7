// The languages Frontrow writes mails in (modules/notifications/templates): an account's `locale` is one
// of these. Adding a language: its templates file there and its tag here (docs/notifications.md).
export const LOCALES = ["en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

/** The supported language closest to a requested tag ("en-GB" → "en"), else the default. */
export function supportedLocale(tag: string | null | undefined): Locale {
  const language = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return LOCALES.find((locale) => locale === language) ?? DEFAULT_LOCALE;
}
