import { graphQLErrorDetails } from "@/lib/api-errors";

// The organizer API lists every problem of an input at once (`extensions.problems`, docs/organizers.md):
// forms show each beside its field, in the API's own words.

export type FieldProblems = Record<string, string[]>;

/** The problems of a failed mutation by field; `form` gets those of no field (or any other error). */
export function fieldProblems(error: unknown): FieldProblems {
  const details = graphQLErrorDetails(error);
  if (!details) return { form: [error instanceof Error ? error.message : "Something went wrong."] };
  const listed = details.extensions.problems;
  const problems: FieldProblems = {};
  if (Array.isArray(listed) && listed.length > 0) {
    for (const item of listed as { field?: unknown; message?: unknown }[]) {
      const field = typeof item.field === "string" ? item.field : "form";
      problems[field] = [...(problems[field] ?? []), String(item.message)];
    }
    return problems;
  }
  const field = typeof details.extensions.field === "string" ? details.extensions.field : "form";
  return { [field]: [details.message] };
}
