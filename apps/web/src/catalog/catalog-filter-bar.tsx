"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useEffectEvent, useId, useRef, useState, useTransition } from "react";
import {
  type CatalogFilters,
  catalogQueryString,
  EMPTY_CATALOG_FILTERS,
  hasActiveFilters,
} from "@/lib/catalog-filters";
import styles from "./catalog-filter-bar.module.css";

const SEARCH_DEBOUNCE_MS = 350;

interface CatalogFilterBarProps {
  filters: CatalogFilters;
  cities: readonly string[];
  categories: readonly string[];
  /** Shown beside the dates when they cannot be searched (e.g. "To" before "From"). */
  dateProblem?: string | null;
}

/** Filters live in the URL: every change navigates, so results are shareable and Back restores them. */
export function CatalogFilterBar({ filters, cities, categories, dateProblem = null }: CatalogFilterBarProps) {
  const router = useRouter();
  const [isPending, startTransition] = useTransition();
  const [searchText, setSearchText] = useState(filters.search);
  const lastSentSearch = useRef(filters.search);
  const id = useId();

  const navigate = (next: CatalogFilters, history: "push" | "replace") => {
    lastSentSearch.current = next.search;
    const query = catalogQueryString(next);
    startTransition(() => {
      router[history](query ? `/?${query}` : "/", { scroll: false });
    });
  };

  // Back/Forward changes the URL under us: show its search text, unless it is the one we just sent.
  useEffect(() => {
    if (filters.search !== lastSentSearch.current) {
      lastSentSearch.current = filters.search;
      setSearchText(filters.search);
    }
  }, [filters.search]);

  // Typing searches as you go; replacing the history entry keeps Back from stepping through every keystroke.
  const searchAsTyped = useEffectEvent((text: string) => {
    // Another control may have sent this text along with its own change meanwhile.
    if (text !== lastSentSearch.current) navigate({ ...filters, search: text }, "replace");
  });
  useEffect(() => {
    const trimmed = searchText.trim();
    if (trimmed === lastSentSearch.current) return;
    const timer = setTimeout(() => searchAsTyped(trimmed), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [searchText]);

  const update = (changes: Partial<CatalogFilters>) =>
    navigate({ ...filters, search: searchText.trim(), ...changes }, "push");

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update({});
  };

  const clear = () => {
    setSearchText("");
    navigate(EMPTY_CATALOG_FILTERS, "push");
  };

  return (
    <search>
      <form
        className={styles.bar}
        onSubmit={submit}
        data-pending={isPending || undefined}
        aria-label="Filter events"
      >
        <div className={`${styles.field} ${styles.search}`}>
          <label htmlFor={`${id}-search`}>Search</label>
          <input
            id={`${id}-search`}
            type="search"
            name="q"
            placeholder="Event, performer or venue"
            autoComplete="off"
            value={searchText}
            onChange={(event) => setSearchText(event.target.value)}
          />
        </div>
        <div className={styles.field}>
          <label htmlFor={`${id}-city`}>City</label>
          <select
            id={`${id}-city`}
            value={filters.city}
            onChange={(event) => update({ city: event.target.value })}
          >
            <option value="">All cities</option>
            {cities.map((city) => (
              <option key={city} value={city}>
                {city}
              </option>
            ))}
          </select>
        </div>
        <div className={styles.field}>
          <label htmlFor={`${id}-category`}>Category</label>
          <select
            id={`${id}-category`}
            value={filters.category}
            onChange={(event) => update({ category: event.target.value })}
          >
            <option value="">All categories</option>
            {categories.map((category) => (
              <option key={category} value={category}>
                {category}
              </option>
            ))}
          </select>
        </div>
        <div className={styles.field}>
          <label htmlFor={`${id}-from`}>From</label>
          <input
            id={`${id}-from`}
            type="date"
            value={filters.from}
            max={filters.to || undefined}
            onChange={(event) => update({ from: event.target.value })}
          />
        </div>
        <div className={styles.field}>
          <label htmlFor={`${id}-to`}>To</label>
          <input
            id={`${id}-to`}
            type="date"
            value={filters.to}
            min={filters.from || undefined}
            aria-invalid={dateProblem ? true : undefined}
            aria-describedby={dateProblem ? `${id}-date-problem` : undefined}
            onChange={(event) => update({ to: event.target.value })}
          />
        </div>
        {dateProblem ? (
          <p id={`${id}-date-problem`} className={styles.dateProblem} role="alert" data-date-problem="">
            {dateProblem}
          </p>
        ) : null}
        <label className={styles.toggle}>
          <input
            type="checkbox"
            role="switch"
            aria-checked={filters.onSale}
            checked={filters.onSale}
            onChange={(event) => update({ onSale: event.target.checked })}
          />
          <span className={styles.track} aria-hidden="true" />
          On sale now
        </label>
        <div className={styles.actions}>
          <span className={styles.pending} role="status">
            {isPending ? "Updating…" : ""}
          </span>
          {hasActiveFilters(filters) || searchText ? (
            <button type="button" className="button button-secondary" onClick={clear}>
              Clear filters
            </button>
          ) : null}
        </div>
      </form>
    </search>
  );
}
