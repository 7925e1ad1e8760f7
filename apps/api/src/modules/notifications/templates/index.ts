import { DEFAULT_LOCALE, type Locale, supportedLocale } from "../../auth/locales.js";
import type { Catalog, Formats, Links, TemplateName, TemplateParams } from "./content.js";
import { en } from "./en.js";
import { renderHtml, renderText } from "./layout.js";

// Every language's templates (docs/notifications.md, "Adding a language").
const CATALOGS: Record<Locale, Catalog> = { en };

export type { EventParams, Links, TemplateName, TemplateParams } from "./content.js";

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

// Intl formatters cost more to build than to use: one per language, currency and time zone, kept for the
// process's life (a sell-out's confirmations format the same few thousands of times).
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function formatter<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let made = formatters.get(key) as T | undefined;
  if (!made) {
    made = make();
    formatters.set(key, made);
  }
  return made;
}

function formats(locale: string): Formats {
  return {
    money: (minor, currency) =>
      formatter(
        `money ${locale} ${currency}`,
        () => new Intl.NumberFormat(locale, { style: "currency", currency }),
      ).format(minor / 100),
    when: (iso, timezone) =>
      formatter(
        `when ${locale} ${timezone}`,
        () =>
          new Intl.DateTimeFormat(locale, {
            // dateStyle/timeStyle cannot be combined with timeZoneName: the fields one by one.
            weekday: "long",
            year: "numeric",
            month: "long",
            day: "numeric",
            hour: "numeric",
            minute: "2-digit",
            timeZone: timezone,
            timeZoneName: "short",
          }),
      ).format(new Date(iso)),
  };
}

export function isTemplate(name: string): name is TemplateName {
  return name in CATALOGS[DEFAULT_LOCALE];
}

/** A mail in the recipient's language (the default one where it is unknown or not written yet). */
export function renderMail<T extends TemplateName>(
  template: T,
  params: TemplateParams[T],
  locale: string | null,
  links: Links,
): RenderedMail {
  const language = supportedLocale(locale);
  const content = CATALOGS[language][template](params, links, formats(language));
  return { subject: content.subject, text: renderText(content), html: renderHtml(content, language) };
}
